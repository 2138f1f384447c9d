"""``import pynn_uni.neuroml as sim``: PyNN 0.13's ``pyNN.neuroml``, a script's network
written as NeuroML2.

``sim.setup(reference="net")``, build, ``sim.run(100)``, ``sim.end()``: ``end()`` writes
``net.net.nml`` and ``LEMS_Sim_net.xml`` (the LEMS simulation ``Sim_net``, ``run()``'s
length, the timestep, what the script records) in the current directory, the names
``pyNN.neuroml`` gives them; the default reference is ``PyNN_NeuroML2_Export`` and a script
that never runs gets a 100 ms simulation, as there.  The files are those of
:func:`pynn_uni.serialization.export_to_neuroml` (exact weights and delays, per-cell
values); only ``save_format="xml"`` is written.  Unlike ``pyNN.neuroml``, whose ``run()``
only notes the time and whose data are made up, the network is simulated meanwhile by the
numpy reference backend, so ``get_data()`` returns what the model does.  Models are the
reference backend's that NeuroML2 can express (``capabilities.toml``).
"""

import warnings as _warnings

from pynn_uni.common import control as _control
from pynn_uni.common import simulation as _simulation
from pynn_uni.common.namespace import populate as _populate
from pynn_uni.errors import NotSupportedError as _NotSupportedError
from pynn_uni.neuroml.backend import NeuroMLBackend

DEFAULT_REFERENCE = "PyNN_NeuroML2_Export"  # pyNN.neuroml's
DEFAULT_DURATION = 100.0  # ms: pyNN.neuroml's LEMS length when the script never runs


def end(compatible_output: bool = True) -> None:
    """Write the network (``<reference>.net.nml``, ``LEMS_Sim_<reference>.xml``), then end
    the simulation as every backend's ``end()`` does."""
    sim = _simulation.current_or_none()
    if sim is not None:
        _simulation.check_namespace(__name__, "end()")
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            write_files(sim)
        for warning in caught:  # said where the script ends, not inside pynn_uni
            _warnings.warn(warning.message, warning.category, stacklevel=2)
    _control.end(compatible_output)


def write_files(sim):
    """The NeuroML2 and LEMS files of simulation ``sim``, named after its ``reference``."""
    from pynn_uni.network import Network
    from pynn_uni.serialization.neuroml import export_to_neuroml

    reference = str(sim.extra.get("reference", DEFAULT_REFERENCE))
    return export_to_neuroml(
        Network(*sim.populations, *sim.projections),
        f"{reference}.net.nml",
        duration=sim.t if sim.t > 0 else DEFAULT_DURATION,
        reference=reference,
        simulation_id=f"Sim_{reference}",
    )


_populate(globals(), NeuroMLBackend, {"end": end})
_setup = globals()["setup"]


def setup(timestep=0.1, min_delay="auto", **extra):
    """Start a simulation whose network ``end()`` writes as NeuroML2; ``reference`` names the
    document and the files, ``save_format`` must be ``"xml"`` (the default)."""
    if extra.get("save_format", "xml") != "xml":
        raise _NotSupportedError(
            f"setup(): save_format={extra['save_format']!r} is not written by pynn_uni.neuroml; "
            "only 'xml'"
        )
    return _setup(timestep, min_delay, **extra)
