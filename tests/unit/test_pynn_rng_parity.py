"""Same seed, same network as PyNN 0.13: every random connector, fed a seeded NumpyRNG,
gives PyNN's connections (and PyNN's random weights on them).

The reference values below were produced with real PyNN 0.13.0 (NEST 3.10 and NEURON
backends, which agree on every case) by a script outside this repository that builds each
projection between ``IF_cond_exp`` populations (default ``Line`` positions, weights in uS)
and reads ``Projection.get(["weight"], format="list")``.  Each entry holds: the number of
connections; the first 16 hex digits of the sha256 of the int64 (pre, post) pairs sorted
by (post, pre, weight); the same for the weights in that order, each written as ``%.9g``
and joined by ``;``.  Entries with a second triple connect a second projection with the
same connector (and the same synapse type, or one drawing from the same rng).

The FromListConnector values at the end were read from PyNN 0.13 (NEST) the same way.

Not listed: FixedNumberPreConnector(allow_self_connections=False) between two views of one
population, where PyNN does not exclude self connections (it compares the populations,
not the cells) and we do.
"""

import hashlib

import numpy as np
import pytest

from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.connectors import (
    ConnectionContext,
    DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FixedTotalNumberConnector,
    FromListConnector,
    IndexBasedExpression,
    IndexBasedProbabilityConnector,
)
from pynn_uni.random import NumpyRNG, RandomDistribution
from pynn_uni.space import Line, Space

# name: (n, sha pairs, sha weights[, (second projection's n, sha pairs, sha weights)])
PYNN_013 = {
    "big_ddpc": (7123, "9192358180c58220", "142cd92763395dc4"),
    "big_fnpost_repl_noself": (12000, "f16e4691a8f8ad3f", "997812a831514e82"),
    "big_fnpre": (4000, "46a1d1c729a3cece", "5205d415dfdd7bba"),
    "big_fnpre_repl_noself": (25000, "583a7af1fffc22cc", "92b9b9c63b0c92c1"),
    "big_fpc": (6050, "f922eab8eda597ec", "14c66f69b583f021"),
    "big_ftn": (5000, "da8c140de2884cbf", "3812c425141a4857"),
    "big_ftn_unequal": (3000, "9f3f25a40e450b60", "d7edd0af47647cf7"),
    "ddpc": (311, "c8497bca67743e86", "59187e0502773f5b"),
    "ddpc_ab": (204, "cd774e21c181d56d", "7bf5cee19563effc"),
    "disp": (217, "274b9fadccda037f", "ad2221caba0a0149"),
    "fnpost": (150, "423c2d10d965c30c", "475b0b217dde114b"),
    "fnpost_big_n": (300, "93a18dbee373cee3", "70c8ae73c7996482"),
    "fnpost_noself": (140, "f063999e3ca74f98", "aa34dd041fe0b830"),
    "fnpost_nshared": (
        93,
        "65addbba584d0dbf",
        "e2a2606bf9c9ec01",
        (94, "066a449b5aad7bda", "c0db5e439cb193cc"),
    ),
    "fnpost_repl": (150, "8f7d8fe1bf8759ea", "475b0b217dde114b"),
    "fnpost_repl_noself": (140, "8d45e96367b33e9f", "aa34dd041fe0b830"),
    "fnpost_wsep": (120, "ba421cb9a6fa01a1", "a6e4542ef56db226"),
    "fnpost_wshared": (
        80,
        "925f3c4591bb0c09",
        "39af9749cd2a43f6",
        (80, "49d2305ad71f9449", "8330bd038a1382dd"),
    ),
    "fnpre": (200, "368ed55486a5e272", "95658ccb296e5b92"),
    "fnpre_big_n": (300, "dcc3a4b8ee4d4e26", "70c8ae73c7996482"),
    "fnpre_noself": (140, "402f95d868f27027", "aa34dd041fe0b830"),
    "fnpre_rd_n": (100, "265ff82d9aebbf16", "eaa40c9613344cbd"),
    "fnpre_repl": (200, "9ed8baacaced1d57", "95658ccb296e5b92"),
    "fnpre_repl_noself": (140, "091f9b8974603ad1", "aa34dd041fe0b830"),
    "fnpre_wsep": (120, "caf074d31f849734", "e0809f49d6e96672"),
    "fnpre_wsep_norepl": (120, "9ba4b25dc6ae0e5e", "7aec5989fa23d65d"),
    "fnpre_wshared": (
        100,
        "4f380e2764e1bb7a",
        "42e883f74f5730cb",
        (100, "114e8ab993c329c8", "79882012bc8aca10"),
    ),
    "fpc": (286, "9bfae3eef5c53578", "83f84fae1f705875"),
    "fpc_default_rng": (
        130,
        "757f2b0e7f23b4e2",
        "2942e2a1b1d96d4d",
        (130, "757f2b0e7f23b4e2", "2942e2a1b1d96d4d"),
    ),
    "fpc_nomutual": (112, "63290a8dfcecb9d1", "c88e907ee0d74789"),
    "fpc_noself": (329, "5eda030a6db49c3e", "e00d8414fc019a32"),
    "fpc_same_rng_twice": (
        127,
        "3a2b678356259ba5",
        "f419a02a849c502d",
        (127, "3a2b678356259ba5", "f419a02a849c502d"),
    ),
    "fpc_wclipped": (276, "1a8488cd78d808c0", "52a37ef00ae166ae"),
    "fpc_wsep": (244, "27800e4de7bb4c63", "4cc4d4806eb78bb0"),
    "fpc_wshared": (78, "c642ebe19d06306d", "96a7f5144c1caded"),
    "fpc_wshared_uniform": (152, "7fb8d73e748279b6", "52fad23e9a783de3"),
    "ftn": (200, "eb32b32cf28ae1f8", "95658ccb296e5b92"),
    "ftn_wsep": (150, "88ebf2f1d311f9ae", "81461f6c03f7e7ff"),
    "ftn_wshared": (
        90,
        "45526a6e1dabbf3b",
        "c216af5b5f210714",
        (90, "6b2f0af384aacf06", "2b2dae86d89057e1"),
    ),
    "ibpc": (153, "f87d286a782deb2f", "4dd71444fea1ea5f"),
    "view_fpc_noself": (106, "cfc8bc8b17d01503", "c6b5acfb27f71ef2"),
    "w_same_rd_twice": (
        128,
        "41c828ba8e3279ef",
        "5b9ca2dcfbcd23aa",
        (128, "41c828ba8e3279ef", "5b9ca2dcfbcd23aa"),
    ),
}


class Near(IndexBasedExpression):
    def __call__(self, i, j):
        return 1.0 / (1.0 + np.abs(i - j))


def _disp(d):
    return np.exp(-np.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2) / 4.0)


def _uniform_weight(seed_or_rng):
    rng = seed_or_rng if isinstance(seed_or_rng, NumpyRNG) else NumpyRNG(seed_or_rng)
    return RandomDistribution("uniform", (0.01, 0.1), rng=rng)


def _cases():
    """name -> (n_pre, n_post, pre keys, post keys, connector factory, weight factory)."""
    c = {}

    def add(name, n_pre, n_post, conn, weight=None, same=False, keys=None):
        pre_keys, post_keys = keys or (np.arange(n_pre), np.arange(n_post) + (0 if same else 10**6))
        c[name] = (n_pre, n_post, pre_keys, post_keys, conn, weight or (lambda: 0.01))

    FP, DD, FN_PRE, FN_POST, FTN = (
        FixedProbabilityConnector, DistanceDependentProbabilityConnector,
        FixedNumberPreConnector, FixedNumberPostConnector, FixedTotalNumberConnector,
    )  # fmt: skip
    add("fpc", 50, 60, lambda: FP(0.1, rng=NumpyRNG(1)))
    add(
        "fpc_noself",
        40,
        40,
        lambda: FP(0.2, allow_self_connections=False, rng=NumpyRNG(2)),
        same=True,
    )
    default = FP(0.15)
    add("fpc_default_rng", 30, 30, lambda: default)
    same_rng = FP(0.15, rng=NumpyRNG(3))
    add("fpc_same_rng_twice", 30, 30, lambda: same_rng)
    add("fpc_wsep", 40, 30, lambda: FP(0.2, rng=NumpyRNG(4)), lambda: _uniform_weight(44))
    shared = NumpyRNG(98497627)
    fpc_shared = FP(0.7, rng=shared)
    add(
        "fpc_wshared",
        10,
        10,
        lambda: fpc_shared,
        lambda: RandomDistribution("normal", mu=0.5, sigma=0.01, rng=shared),
    )
    shared2 = NumpyRNG(5)
    fpc_shared2 = FP(0.3, rng=shared2)
    add("fpc_wshared_uniform", 25, 20, lambda: fpc_shared2, lambda: _uniform_weight(shared2))
    add(
        "fpc_wclipped",
        30,
        30,
        lambda: FP(0.3, rng=NumpyRNG(6)),
        lambda: RandomDistribution("normal_clipped", (0.05, 0.03, 0.04, 0.2), rng=NumpyRNG(66)),
    )
    add(
        "fpc_nomutual",
        30,
        30,
        lambda: FP(0.3, allow_self_connections="NoMutual", rng=NumpyRNG(44)),
        same=True,
    )
    add(
        "ddpc",
        40,
        40,
        lambda: DD("exp(-d/5)", allow_self_connections=False, rng=NumpyRNG(7)),
        same=True,
    )
    add("ddpc_ab", 30, 35, lambda: DD("d<4", rng=NumpyRNG(8)))
    add("big_ddpc", 200, 200, lambda: DD("exp(-d/20)", rng=NumpyRNG(43)), same=True)
    add("ibpc", 30, 30, lambda: IndexBasedProbabilityConnector(Near(), rng=NumpyRNG(9)))
    add("disp", 30, 30, lambda: DisplacementDependentProbabilityConnector(_disp, rng=NumpyRNG(10)))
    add("big_fpc", 300, 400, lambda: FP(0.05, rng=NumpyRNG(37)))
    add(
        "view_fpc_noself",
        20,
        20,
        lambda: FP(0.3, allow_self_connections=False, rng=NumpyRNG(45)),
        keys=(np.arange(20), np.arange(10, 30)),
    )
    add("fnpre", 30, 40, lambda: FN_PRE(5, rng=NumpyRNG(11)))
    add("fnpre_repl", 30, 40, lambda: FN_PRE(5, with_replacement=True, rng=NumpyRNG(12)))
    add(
        "fnpre_repl_noself",
        20,
        20,
        lambda: FN_PRE(7, with_replacement=True, allow_self_connections=False, rng=NumpyRNG(13)),
        same=True,
    )
    add(
        "fnpre_noself",
        20,
        20,
        lambda: FN_PRE(7, allow_self_connections=False, rng=NumpyRNG(14)),
        same=True,
    )
    add("fnpre_big_n", 12, 10, lambda: FN_PRE(30, rng=NumpyRNG(15)))
    add(
        "fnpre_rd_n",
        30,
        20,
        lambda: FN_PRE(
            RandomDistribution("binomial", (10, 0.5), rng=NumpyRNG(16)), rng=NumpyRNG(17)
        ),
    )
    add(
        "fnpre_wsep",
        30,
        20,
        lambda: FN_PRE(6, with_replacement=True, rng=NumpyRNG(18)),
        lambda: _uniform_weight(188),
    )
    add(
        "fnpre_wsep_norepl",
        30,
        20,
        lambda: FN_PRE(6, rng=NumpyRNG(19)),
        lambda: _uniform_weight(199),
    )
    s1 = NumpyRNG(32)
    fnpre_shared = FN_PRE(4, rng=s1)
    add("fnpre_wshared", 20, 25, lambda: fnpre_shared, lambda: _uniform_weight(s1))
    add(
        "big_fnpre_repl_noself",
        500,
        500,
        lambda: FN_PRE(50, with_replacement=True, allow_self_connections=False, rng=NumpyRNG(38)),
        same=True,
    )
    add("big_fnpre", 300, 200, lambda: FN_PRE(20, rng=NumpyRNG(39)), lambda: _uniform_weight(399))
    add("fnpost", 30, 40, lambda: FN_POST(5, rng=NumpyRNG(20)))
    add("fnpost_repl", 30, 40, lambda: FN_POST(5, with_replacement=True, rng=NumpyRNG(21)))
    add(
        "fnpost_repl_noself",
        20,
        20,
        lambda: FN_POST(7, with_replacement=True, allow_self_connections=False, rng=NumpyRNG(22)),
        same=True,
    )
    add(
        "fnpost_noself",
        20,
        20,
        lambda: FN_POST(7, allow_self_connections=False, rng=NumpyRNG(23)),
        same=True,
    )
    add("fnpost_big_n", 10, 12, lambda: FN_POST(30, rng=NumpyRNG(24)))
    add(
        "fnpost_wsep",
        20,
        30,
        lambda: FN_POST(6, with_replacement=True, rng=NumpyRNG(25)),
        lambda: _uniform_weight(255),
    )
    s2 = NumpyRNG(33)
    fnpost_shared = FN_POST(4, rng=s2)
    add("fnpost_wshared", 20, 25, lambda: fnpost_shared, lambda: _uniform_weight(s2))
    s3 = NumpyRNG(34)
    fnpost_n_shared = FN_POST(RandomDistribution("uniform_int", (2, 9), rng=s3), rng=s3)
    add("fnpost_nshared", 20, 25, lambda: fnpost_n_shared)
    add(
        "big_fnpost_repl_noself",
        400,
        400,
        lambda: FN_POST(30, with_replacement=True, allow_self_connections=False, rng=NumpyRNG(40)),
        same=True,
    )
    add("ftn", 30, 40, lambda: FTN(200, rng=NumpyRNG(26)))
    add("ftn_wsep", 17, 40, lambda: FTN(150, rng=NumpyRNG(27)), lambda: _uniform_weight(277))
    s4 = NumpyRNG(35)
    ftn_shared = FTN(90, rng=s4)
    add("ftn_wshared", 20, 25, lambda: ftn_shared, lambda: _uniform_weight(s4))
    add(
        "big_ftn",
        200,
        300,
        lambda: FTN(5000, rng=NumpyRNG(41)),
        lambda: RandomDistribution("normal", (0.05, 0.01), rng=NumpyRNG(411)),
    )
    add("big_ftn_unequal", 37, 1000, lambda: FTN(3000, rng=NumpyRNG(42)))
    wrd = _uniform_weight(30)
    add("w_same_rd_twice", 20, 20, lambda: FP(0.3, rng=NumpyRNG(31)), lambda: wrd)
    return c


def _summary(result: ConnectionArrays):
    w = np.asarray(result.params["weight"], dtype=float)
    order = np.lexsort((w, result.pre, result.post))
    pairs = np.stack([result.pre[order], result.post[order]], axis=1).astype(np.int64)
    return (
        len(result),
        hashlib.sha256(np.ascontiguousarray(pairs).tobytes()).hexdigest()[:16],
        hashlib.sha256(";".join(f"{x:.9g}" for x in w[order]).encode()).hexdigest()[:16],
    )


def _project(n_pre, n_post, pre_keys, post_keys, connector, weight, **kw):
    positions = [Line().generate_positions(n) for n in (n_pre, n_post)]
    ctx = ConnectionContext(
        n_pre, n_post, pre_keys, post_keys, lambda: positions[0], lambda: positions[1],
        Space(), {"weight": weight, "delay": 1.0}, **kw,
    )  # fmt: skip
    return ConnectionArrays.concatenate(list(connector.connect(ctx)))


@pytest.mark.parametrize("name", sorted(PYNN_013))
def test_connections_and_weights_are_pynn_013s(name):
    n_pre, n_post, pre_keys, post_keys, make_conn, make_weight = _cases()[name]
    expected = PYNN_013[name]
    connector = make_conn()
    first = _project(n_pre, n_post, pre_keys, post_keys, connector, make_weight())
    assert _summary(first) == expected[:3]
    if len(expected) > 3:
        second = _project(n_pre, n_post, pre_keys, post_keys, connector, make_weight())
        assert _summary(second) == expected[3]


@pytest.mark.parametrize("name", ["fpc_wsep", "big_fnpre", "big_fnpre_repl_noself", "big_ftn"])
def test_block_size_and_local_mask_keep_pynn_parity(name):
    n_pre, n_post, pre_keys, post_keys, make_conn, make_weight = _cases()[name]
    expected = PYNN_013[name][:3]
    small = _project(n_pre, n_post, pre_keys, post_keys, make_conn(), make_weight(), block_pairs=97)
    assert _summary(small) == expected
    local = np.arange(n_post) % 3 == 1  # one MPI rank's cells: a filter of the serial result
    mine = _project(
        n_pre, n_post, pre_keys, post_keys, make_conn(), make_weight(), local_post_mask=local
    )
    keep = local[small.post]
    np.testing.assert_array_equal(mine.pre, small.pre[keep])
    np.testing.assert_array_equal(mine.post, small.post[keep])
    np.testing.assert_array_equal(mine.params["weight"], small.params["weight"][keep])


def _from_list(conn_list, n_pre, n_post):
    weight = RandomDistribution("uniform", (0.01, 0.1), rng=NumpyRNG(5))
    keys = (np.arange(n_pre), np.arange(n_post) + 10**6)
    return _project(n_pre, n_post, *keys, FromListConnector(conn_list), weight)


def test_listed_connections_draw_random_values_per_column_as_pynn():
    # PyNN 0.13 evaluates a fresh copy of the synapse parameters for each target, so a
    # target's k connections take the first k values of the stream (values from PyNN)
    conn_list = [(0, 0), (1, 0), (2, 1), (3, 1), (0, 2), (2, 2)]
    got = _from_list(conn_list, 4, 3)
    first, second = 0.029979385398076555, 0.0883659075559639
    np.testing.assert_array_equal(got.pre, [0, 1, 2, 3, 0, 2])
    np.testing.assert_array_equal(got.post, [0, 0, 1, 1, 2, 2])
    np.testing.assert_allclose(got.params["weight"], [first, second] * 3, rtol=1e-12)
    # a longer list in random order: who takes which value follows PyNN's sort by target
    g = np.random.RandomState(0)
    rows = np.unique(np.stack([g.randint(0, 50, 600), g.randint(0, 20, 600)], axis=1), axis=0)
    rows = rows[g.permutation(len(rows))]
    assert _summary(_from_list(rows, 50, 20))[::2] == (439, "2aec1d89793f52c7")
