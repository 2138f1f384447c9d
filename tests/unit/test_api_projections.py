"""API behaviour of Projection and Connection, on the reference backend (PyNN 0.13 §6,
docs/differences.md).

Expected connection lists and arrays are the ones handed to the connectors, rearranged by
hand into the canonical (post, pre) order; nothing is read back from the implementation.
"""

import numpy as np
import pytest

from pynn_uni import errors


def _assert_list(got, expected):
    """Addresses exactly (ints), values to 1e-12 (a simulator that stores weights in other
    units, as NEST does in pA, may move the last bit on the way back)."""
    assert [tuple(r[:2]) for r in got] == [tuple(r[:2]) for r in expected]
    assert all(type(i) is int and type(j) is int for i, j, *_ in got)
    np.testing.assert_allclose([r[2:] for r in got], [r[2:] for r in expected], rtol=1e-12)


def _pops(sim, n_pre=3, n_post=4, celltype=None):
    pre = sim.Population(n_pre, sim.IF_curr_exp(), label="pre")
    post = sim.Population(n_post, celltype or sim.IF_curr_exp(), label="post")
    return pre, post


#: (i, j, weight, delay) in an arbitrary order; the canonical order sorts by (j, i).
CONN_LIST = [(2, 0, 0.3, 1.5), (0, 1, 0.5, 1.0), (1, 3, 0.2, 2.0), (0, 0, 0.1, 0.5)]
CANONICAL = [(0, 0, 0.1, 0.5), (2, 0, 0.3, 1.5), (0, 1, 0.5, 1.0), (1, 3, 0.2, 2.0)]


def test_label_len_size_shape(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    assert prj.label == "pre\u2192post"
    assert len(prj) == prj.size() == prj.size(gather=True) == 12
    assert prj.shape == (3, 4)
    assert prj.pre is pre and prj.post is post
    assert isinstance(prj.synapse_type, sim.StaticSynapse)
    named = sim.Projection(pre, post, sim.OneToOneConnector(), label="mine")
    assert named.label == "mine" and len(named) == 3


def test_default_synapse_is_static_with_min_delay(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.OneToOneConnector())
    assert isinstance(prj.synapse_type, sim.StaticSynapse)
    assert [d for *_, d in prj.get("delay", format="list")] == [0.1, 0.1, 0.1]


def test_from_list_get_list_is_canonical_and_int(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    _assert_list(prj.get(["weight", "delay"], format="list"), CANONICAL)
    np.testing.assert_allclose(
        prj.get("weight", format="list", with_address=False), [0.1, 0.3, 0.5, 0.2], rtol=1e-12
    )


def test_from_list_get_array(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    expected = np.full((3, 4), np.nan)
    for i, j, w, _ in CONN_LIST:
        expected[i, j] = w
    np.testing.assert_allclose(prj.get("weight", format="array"), expected, rtol=1e-12)
    w, d = prj.get(["weight", "delay"], format="array")
    assert d[1, 3] == 2.0 and np.isnan(d[1, 0])
    with pytest.raises(TypeError):
        prj.get("weight")  # format has no default
    with pytest.raises(ValueError):
        prj.get("weight", format="dict")
    with pytest.raises(KeyError):
        prj.get("tau_x", format="list")


def test_array_connector_with_2d_weights(sim):
    pre, post = _pops(sim)
    mask = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]], dtype=bool)
    weights = np.arange(1, 13, dtype=float).reshape(3, 4) / 10.0
    prj = sim.Projection(
        pre, post, sim.ArrayConnector(mask), sim.StaticSynapse(weight=weights, delay=1.0)
    )
    assert len(prj) == int(mask.sum()) == 7
    np.testing.assert_allclose(
        prj.get("weight", "array"), np.where(mask, weights, np.nan), rtol=1e-12
    )


def test_connections_by_index_and_iteration(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    c = prj[1]  # canonical order: (2, 0, 0.3, 1.5)
    assert isinstance(c, sim.Connection)
    assert (c.presynaptic_index, c.postsynaptic_index) == (2, 0)
    assert int(c.presynaptic_cell) == int(pre[2]) and int(c.postsynaptic_cell) == int(post[0])
    assert c.weight == pytest.approx(0.3, rel=1e-12) and c.delay == 1.5
    _assert_list([c.as_tuple("weight", "delay")], [(2, 0, 0.3, 1.5)])
    assert prj[-1].weight == pytest.approx(0.2, rel=1e-12)
    with pytest.raises(IndexError):
        prj[4]
    rows = [(c.presynaptic_index, c.postsynaptic_index, c.weight, c.delay) for c in prj.connections]
    _assert_list(rows, CANONICAL)
    np.testing.assert_allclose([c.weight for c in prj], [0.1, 0.3, 0.5, 0.2], rtol=1e-12)
    np.testing.assert_allclose([c.weight for c in prj[1:3]], [0.3, 0.5], rtol=1e-12)


def test_connection_attributes_write_through(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(
        pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0)
    )
    c = prj[np.int64(3)]  # canonical order (0, 0), (1, 0), (2, 0), (0, 1): pre 0, post 1
    c.weight = 0.5
    c.delay = 2.0
    expected_w = np.full((3, 4), 0.1)
    expected_w[0, 1] = 0.5
    expected_d = np.full((3, 4), 1.0)
    expected_d[0, 1] = 2.0
    np.testing.assert_allclose(prj.get("weight", "array"), expected_w, rtol=1e-12)
    np.testing.assert_array_equal(prj.get("delay", "array"), expected_d)
    with pytest.raises(errors.InvalidWeightError):
        c.weight = -1.0
    with pytest.raises(AttributeError):
        c.colour = "red"


def test_multiple_synapses_operations(sim):
    """Pair (0, 0) has three synapses 1.0, 2.0, 0.5 in list order; (1, 0) has one of 3.0."""
    pre, post = _pops(sim, 2, 1)
    rows = [(0, 0, 1.0), (0, 0, 2.0), (1, 0, 3.0), (0, 0, 0.5)]
    prj = sim.Projection(pre, post, sim.FromListConnector(rows, column_names=["weight"]))
    assert len(prj) == 4
    expected = {"sum": 3.5, "first": 1.0, "last": 0.5, "min": 0.5, "max": 2.0}
    for op, value in expected.items():
        a = prj.get("weight", "array", multiple_synapses=op)
        assert a.shape == (2, 1)
        assert a[0, 0] == pytest.approx(value, rel=1e-12), op
        assert a[1, 0] == pytest.approx(3.0, rel=1e-12), op
    with pytest.raises(ValueError):
        prj.get("weight", "array", multiple_synapses="mean")
    prj.set(weight=0.25)  # every synapse of a pair takes the same value
    assert prj.get("weight", "array", multiple_synapses="sum")[0, 0] == pytest.approx(0.75)


def test_set_scalar_random_and_arrays(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    prj.set(weight=0.7)
    np.testing.assert_allclose(prj.get("weight", "list", with_address=False), 0.7, rtol=1e-12)
    prj.set(weight=sim.RandomDistribution("uniform", low=1.0, high=2.0, rng=sim.NumpyRNG(4)))
    w = np.array(prj.get("weight", "list", with_address=False))
    assert np.all((w >= 1.0) & (w < 2.0)) and len(set(w)) == 4
    matrix = np.arange(12, dtype=float).reshape(3, 4)
    prj.set(weight=matrix)  # pre x post
    _assert_list(prj.get("weight", "list"), [(0, 0, 0.0), (2, 0, 8.0), (0, 1, 1.0), (1, 3, 7.0)])
    # 1-D: one value per connection in PyNN's order, sorted by (pre, post):
    # (0, 0), (0, 1), (1, 3), (2, 0); get() lists them in the canonical (post, pre) order
    prj.set(delay=np.array([1.0, 2.0, 3.0, 4.0]))
    assert prj.get("delay", "list") == [(0, 0, 1.0), (2, 0, 4.0), (0, 1, 2.0), (1, 3, 3.0)]
    prj.set(delay=[4.0, 3.0, 2.0, 1.0])  # a flat list is accepted too
    assert prj.get("delay", "list") == [(0, 0, 4.0), (2, 0, 1.0), (0, 1, 3.0), (1, 3, 2.0)]
    with pytest.raises(TypeError):
        prj.set(weight=matrix.tolist())  # a nested list is refused, as in PyNN
    with pytest.raises(KeyError):
        prj.set(tau_x=1.0)


def test_set_function_and_string_of_distance(sim):
    """Both populations are Lines with dx = 1 at the origin: d(i, j) = |i - j|."""
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    prj.set(delay=lambda d: 1.0 + d)
    expected = [(i, j, 1.0 + abs(i - j)) for i, j, *_ in CANONICAL]
    assert prj.get("delay", "list") == expected
    prj.set(weight="0.5 * d + 0.1")
    _assert_list(
        prj.get("weight", "list"), [(i, j, 0.5 * abs(i - j) + 0.1) for i, j, *_ in CANONICAL]
    )


def test_set_delay_below_min_delay_is_refused(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(delay=1.0))
    with pytest.raises(errors.ConnectionError):
        prj.set(delay=0.01)
    assert prj.get("delay", "list", with_address=False) == [1.0, 1.0, 1.0]


def test_save_then_from_file_connector(sim, tmp_path):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    path = tmp_path / "conns.txt"
    prj.save("all", str(path))
    header = path.read_text().splitlines()
    assert any("columns" in line and "'weight'" in line for line in header if line[0] == "#")
    copy = sim.Projection(pre, post, sim.FromFileConnector(str(path)))
    _assert_list(copy.get(["weight", "delay"], "list"), CANONICAL)
    arr = tmp_path / "weights.txt"
    prj.save("weight", str(arr), format="array")
    data = np.loadtxt(arr)
    expected = np.zeros((3, 4))
    for i, j, w, _ in CONN_LIST:
        expected[i, j] = w
    np.testing.assert_allclose(data, expected, rtol=1e-12)  # missing connections written as 0


@pytest.mark.parametrize(
    ("weight", "receptor"), [(0.5, "excitatory"), (-0.5, "inhibitory"), (0.0, "excitatory")]
)
def test_receptor_type_guess_from_scalar_weight(sim, weight, receptor):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight))
    assert prj.receptor_type == receptor
    assert prj.get("weight", "array")[2, 3] == pytest.approx(weight)  # sign kept, as written


def test_receptor_type_guess_from_last_element_of_array_weight(sim):
    """PyNN looks at the weight of connection (pre.size - 1, post.size - 1)."""
    pre, post = _pops(sim)
    weights = -np.arange(1, 13, dtype=float).reshape(3, 4)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=weights))
    assert prj.receptor_type == "inhibitory"
    np.testing.assert_allclose(prj.get("weight", "array"), weights, rtol=1e-12)


def test_receptor_type_guess_from_negative_random_weight(sim):
    pre, post = _pops(sim)
    dist = sim.RandomDistribution("uniform", low=-2.0, high=-1.0, rng=sim.NumpyRNG(8))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=dist))
    assert prj.receptor_type == "inhibitory"
    w = prj.get("weight", "array")
    assert np.all((w > -2.0) & (w <= -1.0))
    # the guess samples a copy: the connections get the stream's first 12 values
    reference = sim.RandomDistribution("uniform", low=-2.0, high=-1.0, rng=sim.NumpyRNG(8))
    np.testing.assert_allclose(np.sort(w.ravel()), np.sort(reference.next(12)), rtol=1e-12)


def test_weight_sign_errors(sim):
    pre, post = _pops(sim)
    cond = sim.Population(2, sim.IF_cond_exp(), label="cond")
    with pytest.raises(errors.InvalidWeightError) as info:
        sim.Projection(
            pre,
            post,
            sim.AllToAllConnector(),
            sim.StaticSynapse(weight=0.5),
            receptor_type="inhibitory",
        )
    assert isinstance(info.value, errors.ConnectionError) and isinstance(info.value, ValueError)
    with pytest.raises(errors.InvalidWeightError):
        sim.Projection(
            pre,
            cond,
            sim.AllToAllConnector(),
            sim.StaticSynapse(weight=-0.5),
            receptor_type="inhibitory",
        )
    with pytest.raises(errors.InvalidWeightError):
        sim.Projection(pre, cond, sim.FromListConnector([(0, 0, 0.1, 1.0), (1, 1, -0.1, 1.0)]))
    # a conductance weight on the inhibitory receptor is positive and reads back positive
    prj = sim.Projection(
        pre,
        cond,
        sim.AllToAllConnector(),
        sim.StaticSynapse(weight=0.02),
        receptor_type="inhibitory",
    )
    assert prj[0].weight == pytest.approx(0.02, rel=1e-12)
    with pytest.raises(errors.ConnectionError):
        sim.Projection(pre, post, sim.AllToAllConnector(), receptor_type="nmda")


def test_projection_to_views_and_assemblies(sim):
    pre, post = _pops(sim, 4, 5)
    other = sim.Population(2, sim.IF_curr_exp(), label="other")
    prj = sim.Projection(pre[[0, 3]], post[1:4], sim.AllToAllConnector())
    assert prj.shape == (2, 3) and len(prj) == 6
    conns = {(int(c.presynaptic_cell), int(c.postsynaptic_cell)) for c in prj}
    assert conns == {(int(pre[i]), int(post[j])) for i in (0, 3) for j in (1, 2, 3)}
    asm = post + other
    prj2 = sim.Projection(pre, asm, sim.FromListConnector([(0, 6, 0.1, 1.0), (1, 4, 0.2, 1.0)]))
    assert prj2.shape == (4, 7)
    assert int(prj2[1].postsynaptic_cell) == int(other[1])
    mixed = post + sim.Population(1, sim.IF_cond_exp())
    with pytest.raises(errors.ConnectionError):
        sim.Projection(pre, mixed, sim.AllToAllConnector())


def test_describe_text_and_dict(sim):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.OneToOneConnector())
    text = prj.describe()
    assert isinstance(text, str) and "pre" in text and "post" in text
    ctx = prj.describe(template=None)
    assert isinstance(ctx, dict) and ctx["size"] == 3 and ctx["label"] == prj.label


def test_deprecated_projection_api(sim, tmp_path):
    pre, post = _pops(sim)
    prj = sim.Projection(pre, post, sim.FromListConnector(CONN_LIST))
    with pytest.warns(DeprecationWarning):
        prj.setWeights(0.4)
    with pytest.warns(DeprecationWarning):
        np.testing.assert_allclose(prj.getWeights(), 0.4, rtol=1e-12)
    with pytest.warns(DeprecationWarning):
        prj.setDelays(2.0)
    with pytest.warns(DeprecationWarning):
        assert prj.getDelays(format="array")[1, 3] == 2.0
    with pytest.warns(DeprecationWarning):
        prj.saveConnections(str(tmp_path / "c.txt"))
    assert (tmp_path / "c.txt").exists()
