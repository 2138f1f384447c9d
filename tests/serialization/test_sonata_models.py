"""Every standard cell model and the plastic synapses survive export and import: the
re-imported populations and projections hold the original values, cell by cell and edge by
edge (random values are kept, not collapsed)."""

import numpy as np

from pynn_uni import errors
from pynn_uni.network import Network
from pynn_uni.parameters import ArrayParameter
from pynn_uni.serialization import export_to_sonata, import_from_sonata

#: one parameter per model made to differ between cells
VARIED = ("tau_m", "rate", "beta", "c", "g_leak", "v_thresh")


def _values(pop):
    names = [n for n in pop.celltype.default_parameters if n != "spike_times"]
    out = dict(zip(names, pop.get(names, gather=True, simplify=False), strict=True))
    out.update({k: v.evaluate() for k, v in pop.initial_values.items()})
    return out


def _same(a, b):
    if isinstance(a, np.ndarray) and a.dtype == object:
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, ArrayParameter):
        return np.array_equal(a.value, b.value)
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def test_every_standard_cell_model_round_trips(sim, tmp_path):
    made, pops = {}, []
    for name in sim.list_standard_models():
        celltype = getattr(sim, name)()
        varied = next((p for p in VARIED if p in celltype.default_parameters
                       and p not in getattr(celltype, "fixed_values", {})), None)  # fmt: skip
        try:
            pop = sim.Population(3, celltype, label=name)
        except (errors.NotSupportedError, errors.InvalidModelError):
            continue  # not on this backend
        if varied:
            base = pop.get(varied)
            pop.set(**{varied: base * np.array([1.0, 1.1, 1.2])})
        made[name] = _values(pop)
        pops.append(pop)
    assert len(made) >= 14
    export_to_sonata(Network(*pops), tmp_path / "m")
    sim.end()
    sim.setup(timestep=0.1)
    net = import_from_sonata(tmp_path / "m" / "circuit_config.json", sim)
    for pop in net.populations:
        model = type(pop.celltype).__name__
        assert pop.label == model
        got = _values(pop)
        for key, want in made[model].items():
            assert _same(got[key], want), (model, key, got[key], want)


def test_plastic_and_short_term_synapses_round_trip(sim, tmp_path):
    from pynn_uni.random import NumpyRNG, RandomDistribution

    rng = NumpyRNG(seed=3)
    pre = sim.Population(30, sim.SpikeSourcePoisson(rate=10.0), label="pre")
    post = sim.Population(20, sim.IF_cond_exp(), label="post")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=16.0, tau_minus=20.0, A_plus=0.01,
                                            A_minus=0.012),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=RandomDistribution("uniform", (0.0, 0.04), rng=rng),
        delay=RandomDistribution("uniform", (1.0, 2.0), rng=rng),
    )  # fmt: skip
    tm = sim.TsodyksMarkramSynapse(U=RandomDistribution("uniform", (0.2, 0.6), rng=rng),
                                   tau_rec=300.0, weight=0.01, delay=1.0)  # fmt: skip
    a = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng), stdp, label="stdp")
    b = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng), tm,
                       receptor_type="inhibitory", label="tm")  # fmt: skip
    want = {p.label: sorted(p.get("all", format="list")) for p in (a, b)}
    export_to_sonata(Network(pre, post, a, b), tmp_path / "s")
    sim.end()
    sim.setup(timestep=0.1)
    net = import_from_sonata(tmp_path / "s" / "circuit_config.json", sim)
    got = {p.label.removesuffix("-0"): p for p in net.projections}
    assert type(got["stdp"].synapse_type).__name__ == "STDPMechanism"
    assert type(got["stdp"].synapse_type.timing_dependence).__name__ == "SpikePairRule"
    assert got["tm"].receptor_type == "inhibitory"
    for label, rows in want.items():
        np.testing.assert_allclose(sorted(got[label].get("all", format="list")), rows)


def test_projections_between_views_and_assemblies(tmp_path):
    """A projection from an Assembly (a population and a view) onto a view becomes one edge
    population per pair of populations, with node ids of the whole populations."""
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    try:
        a = sim.Population(4, sim.IF_curr_exp(), label="a")
        b = sim.Population(6, sim.IF_cond_exp(), label="b")
        c = sim.Population(5, sim.IF_cond_exp(), label="c")
        pre = sim.Assembly(a, b[::2])
        weights = np.arange(7 * 3, dtype=float).reshape(7, 3) * 0.001
        prj = sim.Projection(pre, c[1:4], sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=weights), label="mixed")  # fmt: skip
        pre_node = [("a", i) for i in range(4)] + [("b", i) for i in (0, 2, 4)]
        want = {(*pre_node[int(i)], "c", int(j) + 1, round(w, 9))
                for i, j, w in prj.get("weight", format="list")}  # fmt: skip
        export_to_sonata(Network(prj), tmp_path / "v")
    finally:
        sim.end()
    sim.setup(timestep=0.1)
    try:
        net = import_from_sonata(tmp_path / "v" / "circuit_config.json", sim)
        got = set()
        for p in net.projections:
            for i, j, w in p.get("weight", format="list"):
                got.add((p.pre.label, int(i), p.post.label, int(j), round(w, 9)))
        assert {p.label for p in net.projections} == {"mixed-a-c-0", "mixed-b-c-0"}
    finally:
        sim.end()
    assert got == want
