"""Compare two networks cell by cell and connection by connection (the round-trip tests)."""

import numpy as np


def snapshot(network) -> dict:
    """Everything export must keep, keyed by label: sizes, cell types, every parameter and
    initial value per cell, positions, and each projection's sorted (i, j, weight, delay) rows."""
    out = {}
    for pop in network.populations:
        names = pop.celltype.get_parameter_names()
        values = dict(zip(names, pop.get(names, gather=True, simplify=False), strict=True))
        if "spike_times" in values:
            values["spike_times"] = [list(s.value) for s in values["spike_times"]]
        else:
            values = {k: np.asarray(v, dtype=float) for k, v in values.items()}
        if pop.celltype.injectable:
            for state in type(pop.celltype).initial:
                values[f"initial {state}"] = np.asarray(pop.initial_values_of(state), dtype=float)
        out[pop.label] = (pop.size, type(pop.celltype).__name__, values, pop.positions.copy())
    for prj in network.projections:
        rows = np.array(prj.get(["weight", "delay"], format="list"), dtype=float).reshape(-1, 4)
        rows = rows[np.lexsort(rows.T[::-1])]
        key = (prj.label, prj.pre.label, prj.post.label, prj.receptor_type)
        out[key] = rows
    return out


def assert_same(a: dict, b: dict) -> None:
    assert sorted(map(str, a)) == sorted(map(str, b))
    for key, x in a.items():
        y = b[key]
        if isinstance(key, tuple):
            np.testing.assert_array_equal(x, y, err_msg=str(key))
            continue
        assert x[:2] == y[:2], key
        assert x[2].keys() == y[2].keys(), key
        for name in x[2]:
            if name == "spike_times":
                assert x[2][name] == y[2][name], (key, name)
            else:
                np.testing.assert_array_equal(x[2][name], y[2][name], err_msg=f"{key}.{name}")
        np.testing.assert_array_equal(x[3], y[3], err_msg=f"{key} positions")
