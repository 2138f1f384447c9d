"""Which simulation is current, and the checks that keep objects inside their own simulation.

``setup()`` (:mod:`pynn_uni.common.control`) makes a new
:class:`~pynn_uni.common.control.Simulation` current; everything created afterwards
belongs to it, and an object of an ended or replaced simulation is refused (its ids would
address another network's cells).  The state lives here, in a module that imports nothing
of the common layer, so that populations, projections, current sources and provenance can
read it while control.py imports them: the import arrows point one way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynn_uni import errors

if TYPE_CHECKING:
    from pynn_uni.common.control import Simulation

_current: Simulation | None = None
_last: Simulation | None = None  # the latest simulation, current or ended, until setup()


def current_simulation() -> Simulation:
    """The simulation made by the latest ``setup()``; raises if there is none."""
    if _current is None:
        raise errors.SimulationNotSetUpError("call sim.setup() before building a network")
    return _current


def current_or_none() -> Simulation | None:
    """The current simulation, or None between ``end()`` and the next ``setup()``."""
    return _current


def make_current(sim: Simulation) -> None:
    """``setup()``: ``sim`` becomes the current (and latest) simulation."""
    global _current, _last
    _current = _last = sim


def replace_latest() -> None:
    """``setup()`` starting: the latest simulation is replaced (its ids now mean other
    cells) and none is current until the new one is made."""
    global _current, _last
    if _last is not None:
        _last.replaced = True
    _current = _last = None


def end_current() -> None:
    """``end()``: no simulation is current; the ended one stays the latest."""
    global _current
    _current = None


def check_live(sim: Simulation, what: str, reading: bool = False) -> None:
    """Refuse to act on ``what`` (an object of ``sim``) once ``sim`` is not the current
    simulation: its ids would address another network's cells.  ``reading`` calls that ask
    the simulator (projection weights) stay allowed after ``end()`` until a new ``setup()``;
    recorded data are frozen at the end and never need this check."""
    if not sim.ended or (reading and not sim.replaced):
        return
    if sim.replaced:
        now = f"simulation #{_current.number}" if _current is not None else "a later one"
        why = f"a new setup() replaced it ({now} is current)"
    else:
        why = "end() finished it"
    raise errors.StaleObjectError(
        f"{what} belongs to {sim.describe()}, and {why}; objects do not move between "
        "simulations: create it again after setup() (recorded data stay readable "
        "with get_data/write_data)"
    )


def check_namespace(namespace: str, call: str) -> None:
    """Refuse ``call`` made through backend module ``namespace`` when the current simulation
    was set up through another backend module."""
    sim = _current
    if sim is not None and sim.namespace is not None and sim.namespace != namespace:
        raise errors.BackendMismatchError(
            f"{call} was called through {namespace}, but the current simulation "
            f"#{sim.number} ({sim.backend.name}) was set up through {sim.namespace}; "
            f"use {sim.namespace}, "
            f"or call {namespace}.setup() first"
        )
