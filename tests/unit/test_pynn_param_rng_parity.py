"""Same seed, same cell parameters and initial values as PyNN 0.13.

How PyNN 0.13 consumes a seeded ``NumpyRNG`` behind a ``RandomDistribution``:

- cell-type parameters (constructor values, ``Population``/``PopulationView``/``Assembly``
  ``.set``) are drawn from a copy of the generator taken per parameter: the generator is not
  advanced, and two parameters given the same distribution get the same values.  A view
  draws one value per cell of the view; an Assembly sets each member in turn, so every
  member starts from the same state;
- initial values (``initialize`` and the constructor's ``initial_values``, in the cell
  type's order of state variables) draw one value per cell from the generator itself;
- ``sample(n, rng)`` takes ``rng.permutation(np.arange(size))[:n]``.

The reference numbers below were printed by real PyNN 0.13.0 on NEST 3.10 (the NEURON
backend agrees) by a scratch script outside this repository that runs the steps of
:func:`_uniform_steps` and :func:`_normal_steps` on ``pyNN.nest`` with ``IF_cond_exp``,
reading parameters with ``Population.get`` and initial values with
``nest.GetStatus(node_collection, 'V_m' / 'g_in')`` right after they were set.
The common layer alone runs here, over a backend that only stores what it is given.
"""

import numpy as np
import pytest

import pynn_uni.common.populations as populations
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.connectors import ConnectionContext, FixedProbabilityConnector
from pynn_uni.common.control import Simulation
from pynn_uni.common.models import IF_cond_exp, SpikeSourcePoisson
from pynn_uni.random import NumpyRNG, RandomDistribution
from pynn_uni.space import Line, Space

PYNN_013 = {
    "skip3": [0.417022004702574, 0.7203244934421581, 0.00011437481734488664],
    "view_tau_m": [0.30233257263183977, 0.14675589081711302],
    "view_cm": [0.30233257263183977, 0.14675589081711304, 0.0923385947687978],
    "asm_set": (
        [0.30233257263183977, 0.14675589081711304, 0.0923385947687978,
         0.1862602113776709, 0.34556072704304774, 0.39676747423066994],
        [0.30233257263183977, 0.14675589081711304, 0.0923385947687978],
    ),
    "asm_init": (
        [0.30233257263183977, 0.14675589081711304, 0.0923385947687978,
         0.1862602113776709, 0.34556072704304774, 0.39676747423066994],
        [0.538816734003357, 0.4191945144032948, 0.6852195003967595],
    ),
    "ctor": (
        [0.20445224973151743, 0.8781174363909454, 0.027387593197926167, 0.6704675101784022],
        [0.20445224973151743, 0.8781174363909454, 0.027387593197926167, 0.6704675101784022],
    ),
    "set2": (
        [0.20445224973151743, 0.8781174363909454, 0.027387593197926167, 0.6704675101784022],
        [0.20445224973151743, 0.8781174363909454, 0.027387593197926163, 0.6704675101784022],
    ),
    "ctor_init": (
        [0.20445224973151743, 0.8781174363909454, 0.027387593197926163, 0.6704675101784022],
        [0.41730480236712697, 0.5586898284457517, 0.14038693859523377, 0.1981014890848788],
    ),
    "sample": [0, 2, 3],
    "next": [0.518152548941889, 0.8650202519789834],
    "n_ctor": (
        [15.882454973770084, 14.338259696211823, 19.86154237401556, 14.495815740793846,
         15.219219683156368],
        [0.44122748688504143, -0.33087015189408764, 0.1876032258370355, -0.2520921296030769,
         0.10960984157818278],
    ),
    "n_init": [0.44122748688504143, -0.33087015189408764, 0.18760322583703548,
               -0.2520921296030769, 0.10960984157818278],
    "n_set": [-0.32986995777935924, 0.059144243219039896, -0.2048765105875873,
              -0.3588289470012431, -0.4225079291623943],
    "n_sample": [0, 2, 3],
    "n_next": [0.11090076173906371, 0.20415474783059218],
}  # fmt: skip


class _StoringBackend:
    """Keeps the parameters and initial values the common layer hands over; nothing else."""

    name = "storing"

    def __init__(self):
        self.sizes = []

    def create(self, spec, params):
        self.sizes.append(spec.size)
        return len(self.sizes) - 1

    def ids(self, handle):
        return np.arange(self.sizes[handle]) + 1000 * (handle + 1)

    def initialize(self, handle, values):
        pass

    def set(self, handle, idx, params, changed):
        pass


@pytest.fixture
def sim(monkeypatch):
    simulation = Simulation(_StoringBackend(), 0.1, "auto", "auto", {})
    monkeypatch.setattr(populations, "current_simulation", lambda: simulation)
    return simulation


def _initial(pop, name):
    return np.broadcast_to(pop._initial[name], (pop.size,))


def _close(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=float), expected, rtol=1e-12, atol=0)


def test_uniform_steps_give_pynn_013s_values(sim):
    ref = PYNN_013
    rng = NumpyRNG(seed=1)
    d = RandomDistribution("uniform", (0, 1), rng=rng)
    _close(rng.next(3), ref["skip3"])
    p = populations.Population(6, IF_cond_exp())
    p[2:4].set(tau_m=d)  # a view draws for its own cells, from a copy
    _close(p.get("tau_m")[2:4], ref["view_tau_m"])
    p[[1, 4, 5]].set(cm=d)
    _close(p.get("cm")[[1, 4, 5]], ref["view_cm"])
    q = populations.Population(3, IF_cond_exp())
    a = p + q
    a.set(tau_refrac=d)  # each member from the same, unadvanced state
    _close(p.get("tau_refrac"), ref["asm_set"][0])
    _close(q.get("tau_refrac"), ref["asm_set"][1])
    a.initialize(v=d)  # initial values advance the generator, member after member
    _close(_initial(p, "v"), ref["asm_init"][0])
    _close(_initial(q, "v"), ref["asm_init"][1])
    r = populations.Population(4, IF_cond_exp(tau_m=d, cm=d))
    _close(r.get("tau_m"), ref["ctor"][0])
    _close(r.get("cm"), ref["ctor"][1])
    r.set(i_offset=d, v_thresh=d)
    _close(r.get("i_offset"), ref["set2"][0])
    _close(r.get("v_thresh"), ref["set2"][1])
    # drawn in the cell type's order (v before gsyn_inh), not the order given
    r2 = populations.Population(4, IF_cond_exp(), initial_values={"gsyn_inh": d, "v": d})
    _close(_initial(r2, "v"), ref["ctor_init"][0])
    _close(_initial(r2, "gsyn_inh"), ref["ctor_init"][1])
    s = p.sample(3, rng=rng)
    assert sorted(p.id_to_index(i) for i in s.all_cells) == ref["sample"]
    _close(rng.next(2), ref["next"])


def test_normal_and_clipped_normal_steps_give_pynn_013s_values(sim):
    ref = PYNN_013
    rng = NumpyRNG(seed=5)
    dn = RandomDistribution("normal", (15.0, 2.0), rng=rng)
    dc = RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=-0.5, high=0.5, rng=rng)
    t = populations.Population(5, IF_cond_exp(tau_m=dn, i_offset=dc))
    _close(t.get("tau_m"), ref["n_ctor"][0])
    _close(t.get("i_offset"), ref["n_ctor"][1])
    t.initialize(v=dc)
    _close(_initial(t, "v"), ref["n_init"])
    t.set(i_offset=dc)
    _close(t.get("i_offset"), ref["n_set"])
    u = t.sample(3, rng=rng)
    assert sorted(t.id_to_index(i) for i in u.all_cells) == ref["n_sample"]
    _close(rng.next(2), ref["n_next"])


def test_one_cell_type_shared_by_two_populations_gives_both_the_same_values(sim):
    rng = NumpyRNG(seed=1)
    celltype = IF_cond_exp(tau_m=RandomDistribution("uniform", (10, 20), rng=rng))
    p1 = populations.Population(3, celltype)
    p2 = populations.Population(3, celltype)
    np.testing.assert_array_equal(p1.get("tau_m"), p2.get("tau_m"))
    np.testing.assert_array_equal(p1.get("tau_m"), 10 + 10 * NumpyRNG(seed=1).next(3))


def test_pynn_random_numbers_example_python_rng_connections(sim):
    """PyNN's examples/random_numbers.py, python-rng half: before connecting, the rng gives
    the cell type's tau_m (a copy), the 10 initial v and the sample of 3 cells.  PyNN 0.13
    (NEST) prints a weight matrix with 79 connections; its first row, last value and sum
    (of the printed 8-decimal values) are below."""
    python_rng = NumpyRNG(seed=98497627)
    cell_type = IF_cond_exp(tau_m=RandomDistribution("normal", (15.0, 2.0), rng=python_rng))
    v_init = RandomDistribution("uniform", (-65.0, -50.0), rng=python_rng)
    p1 = populations.Population(10, SpikeSourcePoisson(rate=100.0))
    p2 = populations.Population(10, cell_type, initial_values={"v": v_init})
    p2.sample(3, rng=python_rng)
    weight = RandomDistribution("normal", mu=0.5, sigma=0.01, rng=python_rng)
    positions = Line().generate_positions(10)
    ctx = ConnectionContext(
        p1.size, p2.size, np.arange(10), np.arange(10) + 10**6, lambda: positions,
        lambda: positions, Space(), {"weight": weight, "delay": 1.0},
    )  # fmt: skip
    conn = FixedProbabilityConnector(0.7, rng=python_rng)
    got = ConnectionArrays.concatenate(list(conn.connect(ctx)))
    w = np.full((10, 10), np.nan)
    w[got.pre, got.post] = got.params["weight"]
    assert len(got) == 79
    first_row = [0.50176068, 0.49895625, np.nan, 0.50776559, np.nan, 0.48435689, 0.48030233,
                 np.nan, 0.50703866, np.nan]  # fmt: skip
    np.testing.assert_allclose(w[0], first_row, atol=5e-9)
    np.testing.assert_allclose(w[9, 9], 0.49779986, atol=5e-9)
    np.testing.assert_allclose(np.nansum(w), 39.39428329, atol=79 * 5e-9)
