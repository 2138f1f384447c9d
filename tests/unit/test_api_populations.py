"""API behaviour of Population, PopulationView, Assembly and ID, on the reference backend
(PyNN 0.13 §4-§5).

Every expected value is worked out by hand from the cell types' documented defaults and
the selectors used, never read back from the implementation.
"""

import numpy as np
import pytest

from pynn_uni import errors


# -- Population basics ------------------------------------------------------------------
def test_population_container_protocol(sim):
    p = sim.Population(5, sim.IF_curr_exp(), label="p")
    assert len(p) == p.size == p.local_size == 5
    cells = list(p)
    assert len(cells) == 5 and all(isinstance(c, sim.ID) for c in cells)
    assert [int(c) for c in p.all()] == [int(c) for c in cells]
    assert int(p[-1]) == int(cells[4]) and int(p.first_id) == int(cells[0])
    assert int(p.last_id) == int(cells[4])
    with pytest.raises(IndexError):
        p[5]


def test_default_labels_are_distinct(sim):
    a = sim.Population(1, sim.IF_curr_exp())
    b = sim.Population(1, sim.IF_curr_exp())
    assert a.label.startswith("population") and b.label.startswith("population")
    assert a.label != b.label


def test_tuple_size_gives_grid2d_and_3xN_positions(sim):
    """(3, 4): a 3 x 4 grid with dx = dy = 1, y varying fastest (sequential fill order):
    cell i sits at (i // 4, i % 4, 0)."""
    p = sim.Population((3, 4), sim.IF_curr_exp())
    assert p.size == 12
    assert isinstance(p.structure, sim.space.Grid2D)
    i = np.arange(12)
    expected = np.vstack([i // 4, i % 4, np.zeros(12)]).astype(float)
    assert p.positions.shape == (3, 12)
    np.testing.assert_array_equal(p.positions, expected)
    assert int(p.nearest((2.1, 0.9, 0.0))) == int(p[2 * 4 + 1])


def test_tuple_size_and_structure_are_exclusive(sim):
    with pytest.raises(errors.InvalidDimensionsError):
        sim.Population((2, 2), sim.IF_curr_exp(), structure=sim.space.Line())


def test_setting_positions_drops_the_structure(sim):
    p = sim.Population(3, sim.IF_curr_exp(), structure=sim.space.Line(dx=10.0))
    np.testing.assert_array_equal(p.positions[0], [0.0, 10.0, 20.0])
    new = np.arange(9, dtype=float).reshape(3, 3)
    p.positions = new
    assert p.structure is None
    np.testing.assert_array_equal(p.positions, new)
    np.testing.assert_array_equal(p[1].position, [1.0, 4.0, 7.0])
    with pytest.raises(errors.InvalidDimensionsError):
        p.positions = np.zeros((2, 3))


def test_nearest_on_a_line(sim):
    p = sim.Population(10, sim.IF_curr_exp(), structure=sim.space.Line(dx=2.0))
    # cells at x = 0, 2, ..., 18: x = 7.2 is closest to the cell at 8 (index 4)
    assert int(p.nearest((7.2, 0.0, 0.0))) == int(p[4])


def test_class_plus_cellparams_is_deprecated_but_works(sim):
    with pytest.warns(DeprecationWarning):
        p = sim.Population(2, sim.IF_curr_exp, {"tau_m": 12.0})
    assert p.get("tau_m") == 12.0


def test_get_and_set_parameter_kinds(sim):
    """Scalar, array, callable of the index, RandomDistribution; get simplifies."""
    p = sim.Population(4, sim.IF_curr_exp())
    assert p.get("tau_m") == 20.0  # PyNN default
    assert p.get(["tau_m", "cm"]) == [20.0, 1.0]
    p.set(tau_m=15.0)
    assert p.get("tau_m") == 15.0  # exact, not 14.999999999999998
    p.set(cm=np.array([0.5, 0.6, 0.7, 0.8]))
    np.testing.assert_array_equal(p.get("cm"), [0.5, 0.6, 0.7, 0.8])
    p.set(i_offset=lambda i: 0.1 * i)
    np.testing.assert_allclose(p.get("i_offset"), [0.0, 0.1, 0.2, 0.3])
    p.set(tau_refrac=sim.RandomDistribution("uniform", low=1.0, high=2.0, rng=sim.NumpyRNG(3)))
    t = p.get("tau_refrac")
    assert t.shape == (4,) and np.all((t >= 1.0) & (t < 2.0)) and len(set(t)) == 4
    np.testing.assert_array_equal(p.get("tau_m", simplify=False), np.full(4, 15.0))
    with pytest.raises(errors.NonExistentParameterError) as info:
        p.get("tau_x")
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError):
        p.set(tau_x=1.0)


def test_find_units(sim):
    p = sim.Population(1, sim.IF_cond_exp())
    assert p.find_units("v") == "mV"
    assert p.find_units("gsyn_exc") == "uS"
    assert p.find_units("tau_m") == "ms"


def test_inject_into_spike_source_raises(sim):
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    with pytest.raises(TypeError):
        p.inject(sim.DCSource(amplitude=1.0))


def test_describe_text_and_dict(sim):
    p = sim.Population(3, sim.IF_curr_exp(), label="cells")
    text = p.describe()
    assert isinstance(text, str) and "cells" in text
    ctx = p.describe(template=None)
    assert isinstance(ctx, dict) and ctx["label"] == "cells" and ctx["size"] == 3
    view_text = p[:2].describe()
    assert isinstance(view_text, str)
    assert isinstance((p + sim.Population(1, sim.IF_curr_exp())).describe(), str)


# -- IDs -----------------------------------------------------------------------------------
def test_id_attribute_access_and_set_parameters(sim):
    p = sim.Population(3, sim.IF_curr_exp())
    cell = p[1]
    assert cell.parent is p and cell.tau_m == 20.0
    cell.tau_m = 33.0
    np.testing.assert_array_equal(p.get("tau_m"), [20.0, 33.0, 20.0])
    p[2].set_parameters(cm=0.25, v_thresh=-45.0)
    np.testing.assert_array_equal(p.get("cm"), [1.0, 1.0, 0.25])
    np.testing.assert_array_equal(p.get("v_thresh"), [-50.0, -50.0, -45.0])
    params = p[2].get_parameters()
    assert params["cm"] == 0.25 and params["tau_m"] == 20.0
    assert p[0].get_initial_value("v") == -65.0
    p[0].set_initial_value("v", -70.0)
    assert p[0].get_initial_value("v") == -70.0 and p[1].get_initial_value("v") == -65.0
    with pytest.raises(AttributeError):
        p[0].set(tau_m=1.0)
    with pytest.raises(AttributeError):
        p[0].no_such_parameter  # noqa: B018
    assert p[0].local is True and p[0].is_standard_cell
    assert p[0].celltype is p.celltype


def test_id_as_view(sim):
    p = sim.Population(4, sim.IF_curr_exp())
    v = p[2].as_view()
    assert v.size == 1 and int(v[0]) == int(p[2])


def test_id_to_index_and_is_local(sim):
    p = sim.Population(6, sim.IF_curr_exp())
    q = sim.Population(2, sim.IF_curr_exp())
    assert p.id_to_index(p[4]) == 4
    np.testing.assert_array_equal(p.id_to_index([p[5], p[0]]), [5, 0])
    with pytest.raises(IndexError):
        p.id_to_index(q[0])
    assert p.is_local(p[3])
    view = p[[1, 3, 5]]
    assert view.id_to_index(p[5]) == 2
    with pytest.raises(IndexError):
        view.id_to_index(p[2])


# -- Views ---------------------------------------------------------------------------------
def test_view_of_view_maps_to_grandparent(sim):
    """p[2:10] holds parent indices 2..9; [1, 3, 6] of it are 3, 5, 8; [::2] of those
    are 3 and 8."""
    p = sim.Population(12, sim.IF_curr_exp(), label="base")
    v1 = p[2:10]
    v2 = v1[[1, 3, 6]]
    v3 = v2[::2]
    assert v3.parent is v2 and v3.grandparent is p and v2.grandparent is p
    np.testing.assert_array_equal(v2.index_in_grandparent(np.arange(3)), [3, 5, 8])
    np.testing.assert_array_equal(v3.index_in_grandparent(np.arange(2)), [3, 8])
    assert [int(c) for c in v3] == [int(p[3]), int(p[8])]
    assert v1.label == "view of 'base' with size 8"
    np.testing.assert_array_equal(v2.index_from_parent_index([1, 6]), [0, 2])
    v3.set(tau_m=11.0)
    expected = np.full(12, 20.0)
    expected[[3, 8]] = 11.0
    np.testing.assert_array_equal(p.get("tau_m"), expected)
    np.testing.assert_array_equal(v2.get("tau_m"), [11.0, 20.0, 11.0])


def test_view_selectors(sim):
    p = sim.Population(6, sim.IF_curr_exp())
    mask = np.array([True, False, True, False, False, True])
    np.testing.assert_array_equal(p[mask].mask, [0, 2, 5])
    np.testing.assert_array_equal(p[[-1, 0]].mask, [0, 5])  # negative ok; sorted
    with pytest.warns(UserWarning):
        dup = p[[1, 1, 2]]
    np.testing.assert_array_equal(dup.mask, [1, 2])
    with pytest.raises(errors.InvalidDimensionsError):
        p[np.array([True, False])]
    assert p[[0, 2, 5]] == p[mask] and p[[0, 2]] != p[mask]
    with pytest.raises(NotImplementedError):
        p[mask].initial_values  # noqa: B018


def test_view_positions_are_the_parents(sim):
    p = sim.Population(5, sim.IF_curr_exp(), structure=sim.space.Line(dx=3.0))
    v = p[[1, 4]]
    np.testing.assert_array_equal(v.positions[0], [3.0, 12.0])
    assert v.structure is p.structure


def test_view_initialize_touches_only_its_cells(sim):
    p = sim.Population(4, sim.IF_curr_exp())
    p[1:3].initialize(v=-55.0)
    np.testing.assert_array_equal(p.initial_values_of("v"), [-65.0, -55.0, -55.0, -65.0])
    p[[0, 3]].initialize(v=np.array([-61.0, -62.0]))  # one value per cell of the view
    p[1:3].initialize(v=lambda i: -70.0 + i)  # i: index within the view
    np.testing.assert_array_equal(p.initial_values_of("v"), [-61.0, -70.0, -69.0, -62.0])


def test_view_set_values_are_relative_to_the_view(sim):
    p = sim.Population(5, sim.IF_curr_exp())
    p[1:3].set(tau_m=np.array([11.0, 12.0]))
    p[[0, 4]].set(cm=lambda i: 0.5 + i)
    np.testing.assert_array_equal(p.get("tau_m"), [20.0, 11.0, 12.0, 20.0, 20.0])
    np.testing.assert_array_equal(p.get("cm"), [0.5, 1.0, 1.0, 1.0, 1.5])
    with pytest.raises(errors.InvalidDimensionsError):
        p[1:3].set(tau_m=np.ones(5))


def test_refused_set_changes_nothing(sim):
    """v_thresh below v_reset is refused before the backend sees it: the description keeps
    the old values and the cell fires as before, at the LIF crossing time
    tau ln(R I / (R I - (v_thresh - v_rest))) moved up to the 0.1 ms grid (the reference
    backend stamps a spike with the end of the step that crossed)."""
    p = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    p.record("spikes")
    with pytest.raises(errors.InvalidParameterValueError, match="threshold"):
        p.set(v_reset=-70.0, v_thresh=-80.0)
    assert p.get(["v_reset", "v_thresh"]) == [-65.0, -50.0]
    sim.run(30.0)
    t_cross = 20.0 * np.log(20.0 / (20.0 - 15.0))  # tau_m = 20 ms, R I = 20 mV: 27.73 ms
    for train in p.get_data().segments[0].spiketrains:
        np.testing.assert_allclose(train.magnitude, [np.ceil(t_cross / 0.1) * 0.1], atol=1e-9)


def test_spike_times_list_is_one_value_sequences_are_per_cell(sim):
    src = sim.Population(3, sim.SpikeSourceArray())
    src.set(spike_times=[1.0, 2.0])  # one train for every cell
    assert list(src.get("spike_times")) == [1.0, 2.0]
    src[1:].set(spike_times=[sim.Sequence([3.0]), sim.Sequence([4.0, 5.0])])
    src[0].spike_times = sim.Sequence([0.5])
    src.record("spikes")
    sim.run(6.0)
    trains = src.get_data().segments[0].spiketrains
    assert [st.magnitude.tolist() for st in trains] == [[0.5], [3.0], [4.0, 5.0]]


def test_sample(sim):
    p = sim.Population(20, sim.IF_curr_exp())
    s = p.sample(5, rng=sim.NumpyRNG(seed=12))
    assert isinstance(s, sim.PopulationView) and s.size == 5 and s.parent is p
    assert np.all(np.diff(s.mask) > 0) and s.mask.min() >= 0 and s.mask.max() < 20
    again = p.sample(5, rng=sim.NumpyRNG(seed=12))
    np.testing.assert_array_equal(s.mask, again.mask)
    assert p.sample(20).size == 20


# -- Assembly ------------------------------------------------------------------------------
def test_assembly_add_index_and_get_population(sim):
    a = sim.Population(3, sim.IF_curr_exp(), label="a")
    b = sim.Population(4, sim.IF_curr_exp(), label="b")
    asm = a + b
    assert isinstance(asm, sim.Assembly) and asm.size == len(asm) == 7
    assert int(asm[4]) == int(b[1]) and int(asm[-1]) == int(b[3]) and int(asm[0]) == int(a[0])
    assert [int(c) for c in asm] == [int(c) for c in a] + [int(c) for c in b]
    for bad in (7, -8):
        with pytest.raises(IndexError):
            asm[bad]
    assert asm.get_population("b") is b
    with pytest.raises(KeyError):
        asm.get_population("c")
    sub = asm[[1, 2, 3]]  # a[1], a[2], b[0]
    assert isinstance(sub, sim.Assembly) and sub.size == 3
    assert [int(c) for c in sub] == [int(a[1]), int(a[2]), int(b[0])]
    c = sim.Population(2, sim.IF_curr_exp(), label="c")
    bigger = asm + c
    assert bigger.size == 9 and bigger.populations == [a, b, c]
    asm += c
    assert asm.size == 9
    with pytest.warns(UserWarning):
        asm += a[0:1]  # overlaps: refused with a warning
    assert asm.size == 9
    assert asm.id_to_index(b[2]) == 5


def test_assembly_get_set_initialize(sim):
    a = sim.Population(2, sim.IF_curr_exp())
    b = sim.Population(3, sim.IF_curr_exp())
    asm = sim.Assembly(a, b)
    assert asm.get("tau_m") == 20.0
    asm.set(tau_m=np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(a.get("tau_m"), [1.0, 2.0])
    np.testing.assert_array_equal(b.get("tau_m"), [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(asm.get("tau_m"), [1.0, 2.0, 3.0, 4.0, 5.0])
    asm.set(cm=0.5)
    assert a.get("cm") == 0.5 and b.get("cm") == 0.5
    asm.initialize(v=-60.0)
    assert a[1].get_initial_value("v") == -60.0 and b[2].get_initial_value("v") == -60.0


def test_assembly_kind_properties(sim):
    curr = sim.Population(1, sim.IF_curr_exp())
    cond = sim.Population(1, sim.IF_cond_exp())
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    assert (curr + sim.Population(1, sim.IF_curr_alpha())).conductance_based is False
    assert (cond + sim.Population(1, sim.IF_cond_alpha())).conductance_based is True
    assert (curr + cond).conductance_based is False
    assert (curr + src).injectable is False
    assert set((curr + cond).receptor_types) == {"excitatory", "inhibitory"}


def test_refused_values_are_named_and_leave_ids_stable(sim):
    """The common check v_reset < v_thresh raises InvalidParameterValueError naming the
    population or the set() call; the refused population takes no ids, and reset() keeps
    every later population's ids and its cells' spikes: IF_cond_exp defaults (cm = 1 nF,
    tau_m = 20 ms) under i_offset = 1 nA charge R I = 20 mV towards a 15 mV gap, first
    crossing at 20 ln 4 = 27.73 ms, then every 27.73 + 0.1 (tau_refrac) ms, each spike on the
    grid point that ends its step."""
    a = sim.Population(2, sim.IF_cond_exp(), label="a")
    with pytest.raises(errors.InvalidParameterValueError, match="Population 'bad'.*threshold"):
        sim.Population(2, sim.IF_cond_exp(v_reset=-40.0, v_thresh=-45.0), label="bad")
    b = sim.Population(2, sim.IF_cond_exp(i_offset=1.0), label="b")
    assert int(b[0]) == int(a[-1]) + 1  # the refused population used no ids
    with pytest.raises(errors.InvalidParameterValueError, match=r"set\(v_reset, v_thresh\)"):
        b.set(v_reset=-40.0, v_thresh=-45.0)
    b.record("spikes")
    sim.run(60.0)
    ids = [int(i) for i in b.all_cells]
    sim.reset()
    sim.run(60.0)
    assert [int(i) for i in b.all_cells] == ids
    t_star = 20.0 * np.log(4.0)
    first = np.ceil(t_star / 0.1 - 1e-9) * 0.1
    expected = [first, first + np.ceil((t_star + 0.1) / 0.1 - 1e-9) * 0.1]
    for segment in b.get_data().segments:
        for train in segment.spiketrains:
            np.testing.assert_allclose(train.magnitude, expected, atol=1e-9)
