"""NEST-native cell, synapse and electrode types: NEST names and NEST units, as in PyNN."""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common.models import native


def _defaults(model: str) -> dict:
    import nest

    if model not in nest.node_models and model not in nest.synapse_models:
        raise errors.NoModelAvailableError(f"NEST has no model {model!r}")
    return nest.GetDefaults(model)


def _numeric(defaults: dict) -> dict:
    return {
        k: float(v)
        for k, v in defaults.items()
        if isinstance(v, (int, float, np.floating, np.integer))
        and not isinstance(v, bool)
        and k
        not in (
            "global_id",
            "local_id",
            "thread",
            "vp",
            "model_id",
            "element_type",
            "thread_local_id",
            "capacity",
            "available",
            "instantiations",
            "frozen",
            "local",
            "node_uses_wfr",
            "elementsize",
            "sizeof",
            "synapse_id",
            "num_connections",
            "has_delay",
            "requires_symmetric",
            "weight_recorder",
            "receptor_type",
        )
    }


class NativeCellType(native.NativeCellType):
    """Base of the classes made by :func:`native_cell_type`: a NEST model (``nest_model``),
    parameters in NEST units.  A standard synapse's weight onto it is in uS (conductance
    models) or nA, scaled to nS / pA as on standard cells (PyNN does the same);
    ``receptor_ports`` maps the receptor names of a multi-receptor model to NEST's ports."""

    nest_model: str = ""
    receptor_ports: dict = {}

    @property
    def native_model(self) -> str:
        return self.nest_model


def _writable(model: str, params: dict) -> dict:
    """Keep the entries NEST lets us set (setting a default to its own value changes nothing)."""
    import nest

    keep = {}
    for key, value in params.items():
        try:
            nest.SetDefaults(model, {key: value})
        except Exception:  # read-only entry (t_spike, post_trace, ...)
            continue
        keep[key] = value
    return keep


def native_cell_type(model: str) -> type:
    """A cell type class for NEST model ``model`` (NEST parameter names and units)."""
    defaults = _defaults(model)
    recordables = [str(r) for r in defaults.get("recordables", [])]
    receptors = defaults.get("receptor_types", {})
    params = _writable(model, _numeric(defaults))
    state = {k: params.pop(k) for k in list(params) if k in recordables}
    is_source = defaults.get("element_type") == "stimulator"
    conductance_based = "g_ex" in recordables or "g_in" in recordables
    return type(
        model,
        (NativeCellType,),
        {
            "nest_model": model,
            "default_parameters": params,
            "default_initial_values": state,
            "recordable": (["spikes"] + recordables),
            "receptor_types": sorted(receptors)
            if receptors
            else ([] if is_source else ["excitatory", "inhibitory"]),
            "conductance_based": conductance_based,
            "weight_unit": "uS" if conductance_based else "nA",
            "receptor_ports": {str(k): int(v) for k, v in receptors.items()},
            "is_spike_source": is_source,
            "injectable": not is_source,
            "units": {k: "dimensionless" for k in recordables},
        },
    )


def receptor_port(celltype, receptor_type: str) -> int | None:
    """NEST's port for ``receptor_type`` on a native multi-receptor model (``ht_neuron``'s
    'AMPA' is 1); None for any other cell type, which NEST routes by the weight's sign."""
    if not isinstance(celltype, NativeCellType) or not celltype.receptor_ports:
        return None
    ports = celltype.receptor_ports
    if receptor_type not in ports:
        raise errors.ConnectionError(
            f"{celltype.nest_model} has no receptor {receptor_type!r}; it has {sorted(ports)}"
        )
    return ports[receptor_type]


class NativeSynapseType:
    """Base of the classes made by :func:`native_synapse_type` (NEST names and units)."""

    is_native = True
    nest_model = ""
    default_parameters: dict = {}

    def __init__(self, **parameters):
        from pynn_uni.parameters import ParameterSpace

        unknown = set(parameters) - set(self.default_parameters) - {"weight", "delay"}
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], self.nest_model, self.default_parameters
            )
        values = dict(self.default_parameters, **parameters)
        values.setdefault("delay", None)
        self.parameter_space = ParameterSpace(values, None, shape=None)

    @classmethod
    def get_parameter_names(cls):
        return sorted(set(cls.default_parameters) | {"weight", "delay"})

    def describe(self, template=None):
        return {"name": self.nest_model}


def native_synapse_type(model: str) -> type:
    """A synapse type class for NEST synapse model ``model``."""
    params = _numeric(_defaults(model))
    params.pop("delay", None)
    return type(model, (NativeSynapseType,), {"nest_model": model, "default_parameters": params})


class NativeElectrodeType:
    """Base of the classes made by :func:`native_electrode_type`."""

    nest_model = ""
    default_parameters: dict = {}


#: read-only state of NEST's oscillating current generators (ac_generator, noise_generator)
_DEVICE_STATE = ("y_0", "y_1")


def native_electrode_type(model: str) -> type:
    """A current source class for NEST device ``model`` (parameters in NEST units); array
    parameters (``step_current_generator``'s ``amplitude_times``) take a list or Sequence."""
    from pynn_uni.common.models import StandardCurrentSource
    from pynn_uni.parameters import Sequence

    defaults = _defaults(model)
    params = _numeric(defaults)
    for key in _DEVICE_STATE:  # GetDefaults reports them, set() refuses them
        params.pop(key, None)
    arrays = {
        k: v for k, v in defaults.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"
    }
    params.update({k: Sequence(v) for k, v in arrays.items()})

    return type(
        model,
        (NativeElectrodeType, StandardCurrentSource),
        {
            "nest_model": model,
            "default_parameters": params,
            "units": {k: "dimensionless" for k in params},
            "parameter_docs": {},
        },
    )
