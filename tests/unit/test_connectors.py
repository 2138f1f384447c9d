"""Connectors: exact structure where it is determined, theory-based statistics where random."""

import math

import numpy as np
import pytest

import pynn_uni.common.connectors.small_world as small_world
import pynn_uni.connectors as public
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.connectors import (
    AllToAllConnector,
    ArrayConnector,
    CloneConnector,
    ConnectionContext,
    CSAConnector,
    DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FixedTotalNumberConnector,
    FromFileConnector,
    FromListConnector,
    IndexBasedExpression,
    IndexBasedProbabilityConnector,
    OneToOneConnector,
    SmallWorldConnector,
    compile_distance_expression,
)
from pynn_uni.errors import (
    ConnectionError,
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.random import NumpyRNG, RandomDistribution
from pynn_uni.space import Line, Space

SV = {"weight": 0.5, "delay": 1.0}


def line(n, dx=1.0):
    return Line(dx=dx).generate_positions(n)


def make_ctx(n_pre, n_post, same=False, sv=None, pre_pos=None, post_pos=None, **kw):
    """Pre keys 0..n_pre-1; post keys the same numbers if ``same`` else disjoint."""
    post_keys = np.arange(n_post) if same else np.arange(n_post) + 10**6
    return ConnectionContext(
        n_pre, n_post, np.arange(n_pre), post_keys,
        (lambda: pre_pos) if pre_pos is not None else None,
        (lambda: post_pos) if post_pos is not None else None,
        kw.pop("space", Space()), SV if sv is None else sv, **kw,
    )  # fmt: skip


def connect(connector, ctx) -> ConnectionArrays:
    result = ConnectionArrays.concatenate(list(connector.connect(ctx)))
    order = np.lexsort((result.pre, result.post))
    np.testing.assert_array_equal(order, np.arange(len(result)))  # canonical (post, pre)
    return result


def in_degrees(c, n_post):
    return np.bincount(c.post, minlength=n_post)


def pair_counts(c, n_pre, n_post):
    return np.bincount(c.post * n_pre + c.pre, minlength=n_pre * n_post).reshape(n_post, n_pre)


# -- deterministic connectors ------------------------------------------------------------


def test_all_to_all_and_values():
    c = connect(AllToAllConnector(), make_ctx(4, 3))
    assert len(c) == 12
    np.testing.assert_array_equal(c.post, np.repeat(np.arange(3), 4))
    np.testing.assert_array_equal(c.params["weight"], np.full(12, 0.5))
    np.testing.assert_array_equal(c.params["delay"], np.full(12, 1.0))


def test_all_to_all_self_connections_compare_cells_not_indices():
    n = 6
    c = connect(AllToAllConnector(allow_self_connections=False), make_ctx(n, n, same=True))
    assert len(c) == n * n - n and not np.any(c.pre == c.post)
    # pre = cells 0..9, post = cells 5..14 (overlapping views): 5 shared cells
    ctx = ConnectionContext(10, 10, np.arange(10), np.arange(5, 15), None, None, Space(), SV)
    c = connect(AllToAllConnector(allow_self_connections=False), ctx)
    assert len(c) == 100 - 5
    assert not np.any(np.arange(10)[c.pre] == np.arange(5, 15)[c.post])
    # different cells with equal indices stay connected
    assert len(connect(AllToAllConnector(False), make_ctx(n, n))) == n * n


def test_no_mutual_keeps_one_direction():
    n = 7
    c = connect(AllToAllConnector(allow_self_connections="NoMutual"), make_ctx(n, n, same=True))
    assert len(c) == n * (n - 1) // 2 and np.all(c.pre > c.post)


def test_one_to_one():
    c = connect(OneToOneConnector(), make_ctx(5, 3))
    np.testing.assert_array_equal(c.pre, [0, 1, 2])
    np.testing.assert_array_equal(c.post, [0, 1, 2])


def test_array_connector():
    rng = np.random.RandomState(0)
    a = rng.rand(6, 4) < 0.5
    c = connect(ArrayConnector(a), make_ctx(6, 4))
    assert set(zip(c.pre, c.post, strict=True)) == set(zip(*np.nonzero(a), strict=True))
    with pytest.raises(InvalidDimensionsError, match="ArrayConnector"):
        list(ArrayConnector(a).connect(make_ctx(4, 6)))


def test_index_based_expression():
    class Upper(IndexBasedExpression):
        def __call__(self, i, j):
            return (i < j).astype(float)

    c = connect(IndexBasedProbabilityConnector(Upper()), make_ctx(5, 5))
    assert len(c) == 10 and np.all(c.pre < c.post)
    with pytest.raises(InvalidParameterValueError):
        IndexBasedProbabilityConnector(lambda i, j: i)


def test_displacement_dependent():
    pos = line(8)
    conn = DisplacementDependentProbabilityConnector(lambda disp: (disp[0] > 0).astype(float))
    c = connect(conn, make_ctx(8, 8, pre_pos=pos, post_pos=pos))
    assert len(c) == 28 and np.all(c.post > c.pre)


# -- FixedProbability -------------------------------------------------------------------


def test_fixed_probability_count_and_in_degree_variance():
    n_pre, n_post, p = 200, 1000, 0.2
    c = connect(FixedProbabilityConnector(p, rng=NumpyRNG(1)), make_ctx(n_pre, n_post))
    mean, var = n_pre * n_post * p, n_pre * n_post * p * (1 - p)
    assert abs(len(c) - mean) < 5 * math.sqrt(var)
    k = in_degrees(c, n_post)
    sigma2 = n_pre * p * (1 - p)  # binomial in-degree variance
    # (N-1) s^2 / sigma^2 ~ chi2(N-1): relative sd sqrt(2/(N-1))
    assert abs(k.var(ddof=1) / sigma2 - 1) < 5 * math.sqrt(2 / (n_post - 1))
    assert np.all(pair_counts(c, n_pre, n_post) <= 1)


def test_fixed_probability_without_self_connections():
    n, p = 300, 0.3
    c = connect(FixedProbabilityConnector(p, allow_self_connections=False), make_ctx(n, n, True))
    assert not np.any(c.pre == c.post)
    m = n * (n - 1)
    assert abs(len(c) - m * p) < 5 * math.sqrt(m * p * (1 - p))


def test_fixed_probability_limits_and_errors():
    assert len(connect(FixedProbabilityConnector(0.0), make_ctx(20, 20))) == 0
    assert len(connect(FixedProbabilityConnector(1.0), make_ctx(20, 20))) == 400
    for bad in (-0.1, 1.5, "x"):
        with pytest.raises(InvalidParameterValueError, match="FixedProbabilityConnector"):
            FixedProbabilityConnector(bad)


def test_default_rng_is_deterministic_and_seeds_matter():
    a = connect(FixedProbabilityConnector(0.1), make_ctx(100, 100))
    b = connect(FixedProbabilityConnector(0.1), make_ctx(100, 100))
    np.testing.assert_array_equal(a.pre, b.pre)
    c = connect(FixedProbabilityConnector(0.1, rng=NumpyRNG(5)), make_ctx(100, 100))
    d = connect(FixedProbabilityConnector(0.1, rng=NumpyRNG(5)), make_ctx(100, 100))
    e = connect(FixedProbabilityConnector(0.1, rng=NumpyRNG(6)), make_ctx(100, 100))
    np.testing.assert_array_equal(c.pre, d.pre)
    assert len(c) != len(e) or not np.array_equal(c.pre, e.pre)
    # as in PyNN 0.13 (checked against it): a map connector draws from a copy of its rng,
    # so one rng used twice gives the same projection twice; FixedNumber connectors draw
    # from the rng itself, whose stream advances
    rng = NumpyRNG(5)
    f = connect(FixedProbabilityConnector(0.1, rng=rng), make_ctx(100, 100))
    g = connect(FixedProbabilityConnector(0.1, rng=rng), make_ctx(100, 100))
    np.testing.assert_array_equal(f.pre, g.pre)
    h = connect(FixedNumberPreConnector(5, rng=rng), make_ctx(100, 100))
    k = connect(FixedNumberPreConnector(5, rng=rng), make_ctx(100, 100))
    assert not np.array_equal(h.pre, k.pre)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(small_world, "DRAW_CHUNK_PAIRS", 500)  # many chunks at test sizes


@pytest.mark.parametrize(
    "make",
    [
        lambda: FixedProbabilityConnector(0.2, rng=NumpyRNG(3)),
        lambda: FixedNumberPreConnector(7, rng=NumpyRNG(3)),
        lambda: FixedNumberPostConnector(7, rng=NumpyRNG(3)),
        lambda: DistanceDependentProbabilityConnector("exp(-d/20)", rng=NumpyRNG(3)),
        lambda: SmallWorldConnector(3, 0.3, rng=NumpyRNG(3)),
    ],
)
def test_block_size_and_local_mask_do_not_change_connections(small_chunks, make):
    pos = line(120)
    sv = {"weight": RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(8)), "delay": 1.0}

    def run(**kw):
        sv["weight"].rng = NumpyRNG(8)
        return connect(make(), make_ctx(120, 120, sv=sv, pre_pos=pos, post_pos=pos, **kw))

    whole = run()
    assert len(whole) > 0
    for blocks in (1, 1000, 10**9):
        part = run(block_pairs=blocks)
        np.testing.assert_array_equal(part.pre, whole.pre)
        np.testing.assert_array_equal(part.params["weight"], whole.params["weight"])
    local = np.arange(120) % 3 == 1  # this "rank" owns every third cell
    mine = run(local_post_mask=local)
    keep = local[whole.post]
    np.testing.assert_array_equal(mine.pre, whole.pre[keep])
    np.testing.assert_array_equal(mine.post, whole.post[keep])
    np.testing.assert_array_equal(mine.params["weight"], whole.params["weight"][keep])


def test_local_mask_with_skipped_columns(small_chunks):
    local = np.zeros(300, bool)
    local[250:260] = True
    whole = connect(FixedProbabilityConnector(0.3), make_ctx(40, 300))
    mine = connect(FixedProbabilityConnector(0.3), make_ctx(40, 300, local_post_mask=local))
    keep = local[whole.post]
    np.testing.assert_array_equal(mine.pre, whole.pre[keep])
    np.testing.assert_array_equal(mine.post, whole.post[keep])


def test_entropy_replays_connections():
    ctx = make_ctx(80, 80)
    first = connect(FixedProbabilityConnector(0.2, rng=NumpyRNG(1)), ctx)
    replay = make_ctx(80, 80, entropy=ctx.entropy)
    again = connect(FixedProbabilityConnector(0.2, rng=NumpyRNG(999)), replay)
    np.testing.assert_array_equal(first.pre, again.pre)
    np.testing.assert_array_equal(first.post, again.post)


# -- DistanceDependent ------------------------------------------------------------------


def test_distance_dependent_follows_the_profile():
    n, lam = 400, 20.0
    pos = line(n)
    ctx = make_ctx(n, n, pre_pos=pos, post_pos=pos)
    c = connect(DistanceDependentProbabilityConnector(f"exp(-d/{lam})", rng=NumpyRNG(2)), ctx)
    d_all = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]).ravel()
    d_conn = np.abs(c.pre - c.post)
    for lo, hi in [(0, 5), (5, 15), (15, 30), (30, 60), (60, 120)]:
        in_bin = (d_all >= lo) & (d_all < hi)
        p = np.exp(-d_all[in_bin] / lam)
        observed = np.count_nonzero((d_conn >= lo) & (d_conn < hi))
        assert abs(observed - p.sum()) < 5 * math.sqrt((p * (1 - p)).sum()) + 1
    assert d_conn.max() < 400  # far pairs, p ~ exp(-20), essentially never


def test_distance_dependent_callable_and_space():
    pos = line(50)
    ctx = make_ctx(50, 50, pre_pos=pos, post_pos=pos, space=Space(scale_factor=1.0))
    c = connect(DistanceDependentProbabilityConnector(lambda d: d < 2.5), ctx)
    assert len(c) == sum(min(i + 2, 49) - max(i - 2, 0) + 1 for i in range(50))


def test_distance_expression_errors():
    with pytest.raises(InvalidParameterValueError, match="negative"):
        DistanceDependentProbabilityConnector("-d")
    with pytest.raises(InvalidParameterValueError, match="not allowed"):
        DistanceDependentProbabilityConnector("d.__class__")
    with pytest.raises(InvalidParameterValueError, match="unknown name"):
        DistanceDependentProbabilityConnector("open(d)")
    pos = line(5)
    conn = DistanceDependentProbabilityConnector("2 + d")
    with pytest.raises(InvalidParameterValueError, match=r"\[0, 1\]"):
        list(conn.connect(make_ctx(5, 5, pre_pos=pos, post_pos=pos)))


def test_compile_distance_expression():
    f = compile_distance_expression("where(d < 2, exp(-d), 0) + 0 * pi")
    np.testing.assert_allclose(f(np.array([0.0, 1.0, 3.0])), [1.0, math.exp(-1), 0.0])
    with pytest.raises(InvalidParameterValueError, match="too large"):  # not an endless power
        compile_distance_expression("9**9**9**9")


# -- FixedNumber ------------------------------------------------------------------------


def test_fixed_number_pre_exact_without_duplicates():
    n_pre, n_post, n = 100, 400, 10
    c = connect(FixedNumberPreConnector(n, rng=NumpyRNG(4)), make_ctx(n_pre, n_post))
    np.testing.assert_array_equal(in_degrees(c, n_post), n)
    assert pair_counts(c, n_pre, n_post).max() == 1
    # each pre cell is chosen by a post cell with probability n/n_pre, independently
    freq = np.bincount(c.pre, minlength=n_pre)
    p = n / n_pre
    assert np.all(np.abs(freq - n_post * p) < 5 * math.sqrt(n_post * p * (1 - p)))


def test_fixed_number_pre_complement_path_and_self_exclusion():
    n = 60
    c = connect(FixedNumberPreConnector(45, allow_self_connections=False), make_ctx(n, n, True))
    np.testing.assert_array_equal(in_degrees(c, n), 45)
    assert not np.any(c.pre == c.post) and pair_counts(c, n, n).max() == 1


def test_fixed_number_pre_more_than_available_uses_full_rounds():
    n_pre, n_post = 10, 30
    c = connect(FixedNumberPreConnector(2 * n_pre + 3), make_ctx(n_pre, n_post))
    counts = pair_counts(c, n_pre, n_post)
    assert set(np.unique(counts)) == {2, 3}
    np.testing.assert_array_equal((counts == 3).sum(axis=1), 3)


def test_fixed_number_pre_with_replacement_multiplicity():
    n_pre, n_post, n = 50, 400, 50
    conn = FixedNumberPreConnector(n, with_replacement=True, rng=NumpyRNG(5))
    c = connect(conn, make_ctx(n_pre, n_post))
    np.testing.assert_array_equal(in_degrees(c, n_post), n)
    counts = pair_counts(c, n_pre, n_post)
    p0 = (1 - 1 / n_pre) ** n  # a given pair is never drawn
    m = n_pre * n_post
    assert abs((counts == 0).sum() - m * p0) < 5 * math.sqrt(m * p0 * (1 - p0))
    assert counts.max() > 1


def test_fixed_number_pre_with_replacement_no_self():
    n = 20
    conn = FixedNumberPreConnector(30, allow_self_connections=False, with_replacement=True)
    c = connect(conn, make_ctx(n, n, True))
    np.testing.assert_array_equal(in_degrees(c, n), 30)
    assert not np.any(c.pre == c.post)


def test_fixed_number_pre_random_n_is_one_draw_per_post():
    n_post = 50
    rd = RandomDistribution("uniform_int", (5, 15), rng=NumpyRNG(7))
    c = connect(FixedNumberPreConnector(rd), make_ctx(40, n_post))
    # as PyNN 0.13 (checked against it), the connector draws 100 values at construction
    # to check they are not negative, then one per postsynaptic cell
    expected = np.random.RandomState(7).randint(5, 15, size=100 + n_post)[100:]
    np.testing.assert_array_equal(in_degrees(c, n_post), expected)


def test_fixed_number_post_exact_out_degree():
    n_pre, n_post = 30, 80
    c = connect(FixedNumberPostConnector(12, rng=NumpyRNG(9)), make_ctx(n_pre, n_post))
    np.testing.assert_array_equal(np.bincount(c.pre, minlength=n_pre), 12)
    assert pair_counts(c, n_pre, n_post).max() == 1


def test_fixed_number_errors():
    with pytest.raises(InvalidParameterValueError):
        FixedNumberPreConnector(-1)
    with pytest.raises(InvalidParameterValueError):
        FixedNumberPreConnector(2.5)
    conn = FixedNumberPreConnector(1, allow_self_connections=False)
    with pytest.raises(ConnectionError, match="FixedNumberPreConnector"):
        list(conn.connect(make_ctx(1, 1, True)))


def test_fixed_total_number():
    n_pre, n_post = 30, 40
    c = connect(FixedTotalNumberConnector(500, rng=NumpyRNG(3)), make_ctx(n_pre, n_post))
    assert len(c) == 500
    c = connect(FixedTotalNumberConnector(500, with_replacement=False), make_ctx(n_pre, n_post))
    assert len(c) == 500 and pair_counts(c, n_pre, n_post).max() == 1
    c = connect(FixedTotalNumberConnector(1000, with_replacement=False), make_ctx(n_pre, n_post))
    assert len(c) == 1000 and pair_counts(c, n_pre, n_post).max() == 1  # complement path
    conn = FixedTotalNumberConnector(300, allow_self_connections=False)
    c = connect(conn, make_ctx(20, 20, True))
    assert len(c) == 300 and not np.any(c.pre == c.post)
    conn = FixedTotalNumberConnector(381, allow_self_connections=False, with_replacement=False)
    with pytest.raises(InvalidParameterValueError, match="380"):
        list(conn.connect(make_ctx(20, 20, True)))


# -- explicit connectors -------------------------------------------------------------------


def test_from_list_sorts_and_overrides_values():
    conn = FromListConnector([(2, 1, 0.1, 2.0), (0, 1, 0.2, 3.0), (1, 0, 0.3, 4.0)])
    c = connect(conn, make_ctx(3, 2))
    np.testing.assert_array_equal(c.pre, [1, 0, 2])
    np.testing.assert_array_equal(c.post, [0, 1, 1])
    np.testing.assert_array_equal(c.params["weight"], [0.3, 0.2, 0.1])
    np.testing.assert_array_equal(c.params["delay"], [4.0, 3.0, 2.0])
    c = connect(FromListConnector([(0, 0), (1, 1)]), make_ctx(2, 2))
    np.testing.assert_array_equal(c.params["weight"], [0.5, 0.5])
    sv = {"weight": 0.5, "delay": 1.0, "U": 0.5}
    c = connect(FromListConnector([(0, 0, 0.9)], column_names=["U"]), make_ctx(2, 2, sv=sv))
    assert c.params["U"][0] == 0.9 and c.params["weight"][0] == 0.5


def test_from_list_errors():
    with pytest.raises(TypeError):
        FromListConnector([(0, 1, 0.5)])
    with pytest.raises(InvalidParameterValueError):
        FromListConnector([(0, 1, 0.5)], column_names=["weight", "delay"])
    with pytest.raises(InvalidDimensionsError, match=r"FromListConnector.*index 7"):
        list(FromListConnector([(0, 0), (7, 1)]).connect(make_ctx(3, 3)))
    with pytest.raises(InvalidDimensionsError, match="postsynaptic index 3"):
        list(FromListConnector([(0, 3)]).connect(make_ctx(3, 3)))
    with pytest.raises(NonExistentParameterError):
        list(FromListConnector([(0, 0, 1.0)], column_names=["tau"]).connect(make_ctx(1, 1)))
    assert len(connect(FromListConnector([]), make_ctx(3, 3))) == 0


def test_from_file(tmp_path):
    path = tmp_path / "conn.txt"
    path.write_text("# columns = ['i', 'j', 'weight', 'delay']\n1 0 0.25 2.5\n0 0 0.75 1.5\n")
    c = connect(FromFileConnector(str(path)), make_ctx(2, 1))
    np.testing.assert_array_equal(c.pre, [0, 1])
    np.testing.assert_array_equal(c.params["weight"], [0.75, 0.25])
    np.save(tmp_path / "conn.npy", np.array([[0, 1, 0.1, 1.0]]))
    c = connect(FromFileConnector(str(tmp_path / "conn.npy")), make_ctx(2, 2))
    assert c.params["delay"][0] == 1.0
    (tmp_path / "u.txt").write_text("# columns = ['i', 'j', 'weight']\n0 1 0.3\n")
    with open(tmp_path / "u.txt") as fh:
        c = connect(FromFileConnector(fh), make_ctx(2, 2))
    assert c.params["weight"][0] == 0.3 and c.params["delay"][0] == 1.0


def test_clone_connector():
    class Reference:
        shape = (4, 3)

        def _connection_arrays(self):
            return ConnectionArrays(np.array([3, 0, 1, 1]), np.array([2, 2, 0, 0]))

    c = connect(CloneConnector(Reference()), make_ctx(4, 3))
    np.testing.assert_array_equal(c.pre, [1, 1, 0, 3])
    np.testing.assert_array_equal(c.post, [0, 0, 2, 2])
    with pytest.raises(ConnectionError, match="4 x 3"):
        list(CloneConnector(Reference()).connect(make_ctx(3, 3)))


# -- small world --------------------------------------------------------------------------


def lattice_degrees(n, degree):
    i = np.arange(n)
    d = np.abs(i[:, None] - i[None, :])
    return ((d < degree) & (d > 0)).sum(axis=1), (d < degree) & (d > 0)


def test_small_world_lattice_and_rewiring():
    n, degree = 300, 2.5
    pos = line(n)
    out, lattice = lattice_degrees(n, degree)
    ctx = make_ctx(n, n, same=True, pre_pos=pos, post_pos=pos)
    c = connect(SmallWorldConnector(degree, 0.0, allow_self_connections=False), ctx)
    assert set(zip(c.pre, c.post, strict=True)) == set(zip(*np.nonzero(lattice), strict=True))
    p = 0.3
    ctx = make_ctx(n, n, same=True, pre_pos=pos, post_pos=pos)
    conn = SmallWorldConnector(degree, p, allow_self_connections=False, rng=NumpyRNG(2))
    c = connect(conn, ctx)
    np.testing.assert_array_equal(np.bincount(c.pre, minlength=n), out)  # degree preserved
    assert not np.any(c.pre == c.post) and pair_counts(c, n, n).max() == 1
    moved = np.count_nonzero(~lattice[c.pre, c.post])
    m = out.sum()
    assert abs(moved - m * p) < 5 * math.sqrt(m * p * (1 - p))


def test_small_world_n_connections():
    pos = line(40)
    conn = SmallWorldConnector(0, 0.5, allow_self_connections=False, n_connections=3)
    c = connect(conn, make_ctx(40, 40, True, pre_pos=pos, post_pos=pos))
    np.testing.assert_array_equal(np.bincount(c.pre, minlength=40), 3)
    with pytest.raises(InvalidParameterValueError):
        SmallWorldConnector(1.0, 1.5)


# -- synapse values ---------------------------------------------------------------------


def test_random_distribution_weights_statistics():
    sv = {"weight": RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(1)), "delay": 1.0}
    c = connect(AllToAllConnector(), make_ctx(100, 100, sv=sv))
    w = c.params["weight"]
    assert abs(w.mean() - 0.5) < 5 * 0.1 / math.sqrt(w.size)
    assert abs(w.std() / 0.1 - 1) < 5 / math.sqrt(2 * w.size)
    # drawn in connection order from the given stream
    np.testing.assert_array_equal(w, np.random.RandomState(1).normal(0.5, 0.1, 10_000))


def test_distance_dependent_values_equal_the_formula():
    pre, post = line(5, dx=10.0), line(4, dx=10.0) + np.array([[0.0], [30.0], [40.0]])
    sv = {"weight": lambda d: 2 * d, "delay": "0.1 + d/10"}
    c = connect(AllToAllConnector(), make_ctx(5, 4, sv=sv, pre_pos=pre, post_pos=post))
    d = np.sqrt((10.0 * (c.pre - c.post)) ** 2 + 30.0**2 + 40.0**2)
    np.testing.assert_allclose(c.params["delay"], 0.1 + d / 10)
    np.testing.assert_allclose(c.params["weight"], 2 * d)


def test_array_values():
    w2 = np.arange(12.0).reshape(3, 4)  # w[i, j] = 4 i + j
    c = connect(AllToAllConnector(), make_ctx(3, 4, sv={"weight": w2, "delay": 1.0}))
    np.testing.assert_array_equal(c.params["weight"], 4 * c.pre + c.post)
    w1 = np.linspace(0, 1, 12)
    c = connect(AllToAllConnector(), make_ctx(3, 4, sv={"weight": w1}))
    np.testing.assert_array_equal(c.params["weight"], w1)
    with pytest.raises(InvalidDimensionsError, match="weight"):
        connect(AllToAllConnector(), make_ctx(3, 4, sv={"weight": np.ones(11)}))
    with pytest.raises(InvalidDimensionsError, match="weight"):
        connect(AllToAllConnector(), make_ctx(3, 4, sv={"weight": np.ones(13)}))
    with pytest.raises(InvalidDimensionsError):
        connect(AllToAllConnector(), make_ctx(3, 4, sv={"weight": np.ones((4, 3))}))
    with pytest.raises(TypeError):
        connect(AllToAllConnector(), make_ctx(2, 2, sv={"weight": [[1, 2], [3, 4]]}))


def test_index_based_and_array_parameter_values():
    class Sum(IndexBasedExpression):
        def __call__(self, i, j):
            return i + 10.0 * j

    class ArrayParameter:
        pass

    class Sequence(ArrayParameter):
        pass

    seq = Sequence()
    c = connect(AllToAllConnector(), make_ctx(3, 2, sv={"weight": Sum(), "times": seq}))
    np.testing.assert_array_equal(c.params["weight"], c.pre + 10.0 * c.post)
    assert all(v is seq for v in c.params["times"])


def test_callback_and_describe():
    fractions = []
    conn = FixedProbabilityConnector(0.5, callback=fractions.append)
    list(conn.connect(make_ctx(10, 10)))
    assert fractions[-1] == 1.0
    assert conn.get_parameters() == {"allow_self_connections": True, "p_connect": 0.5}
    assert conn.describe(template=None)["name"] == "FixedProbabilityConnector"
    assert "p_connect" in conn.describe()


def test_csa_needs_csa_and_public_module():
    with pytest.raises(ImportError, match="csa"):
        CSAConnector(None)
    assert public.AllToAllConnector is AllToAllConnector
    assert "FixedTotalNumberConnector" in public.__all__


def test_lazyarray_values_are_evaluated_per_connection():
    from lazyarray import larray

    rd = RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(1))
    w2 = np.arange(12.0).reshape(3, 4)
    sv = {"weight": larray(rd) * 2, "delay": larray(2.0) + 1, "U": larray(w2) + 1}
    c = connect(AllToAllConnector(), make_ctx(3, 4, sv=sv))
    np.testing.assert_array_equal(
        c.params["weight"], 2 * np.random.RandomState(1).normal(0.5, 0.1, 12)
    )
    np.testing.assert_array_equal(c.params["delay"], np.full(12, 3.0))
    np.testing.assert_array_equal(c.params["U"], 4 * c.pre + c.post + 1)
