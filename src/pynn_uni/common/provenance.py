"""Provenance: who produced a data file, on which simulator, with which seeds, how fast.

One record per simulation, built from the network description the common layer already
keeps (no backend work beyond reading versions).  It travels three ways: as flat
annotations on every neo Block ``get_data`` returns (so ``write_data`` keeps it), as a JSON
document from ``sim.provenance()``, and into ``PYNN_UNI_OUTPUT_DIR`` when a script runs
under ``pynn-uni run`` (see :func:`dump_on_end`).

Times are wall-clock seconds; ``timestep`` and delays are ms.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from typing import Any

from pynn_uni.common import mpi
from pynn_uni.common.capabilities import backend_package, capabilities_of, capabilities_path
from pynn_uni.common.connectors.context import DEFAULT_SEED
from pynn_uni.common.simulation import current_simulation

#: environment variables read by the ``pynn-uni`` command (documented in docs/validation.md)
OUTPUT_DIR_ENV = "PYNN_UNI_OUTPUT_DIR"
SEED_ENV = "PYNN_UNI_SEED"

#: version of the provenance record's layout
SCHEMA = 1


def _jsonable(value: Any) -> Any:
    """Numbers, strings, lists and dicts as they are; numpy values as Python ones; the rest
    (random distributions, lazy arrays) as their repr, so a record always serialises."""
    import numpy as np

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.size > (20 if value.dtype == object else 1000):
            return f"array(shape={value.shape}, dtype={value.dtype})"
        return _jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def backend_key(backend) -> str:
    """The backend's entry-point name ('nest', 'reference', ...): its package's last part."""
    return backend_package(backend).rpartition(".")[2]


def simulator_version(backend) -> str:
    """The simulator's own version (``backend.simulator_version()``), else the
    ``simulator`` line of the backend's capabilities.toml."""
    version = backend.simulator_version()
    if version:
        return str(version)
    return str(capabilities_of(backend).backend_table.get("simulator", "unknown"))


def read_capabilities(key: str) -> dict:
    """The parsed capabilities.toml of the backend registered as ``key`` ({} if none)."""
    from importlib.metadata import entry_points

    import tomllib

    modules = [ep.value for ep in entry_points(group="pynn_uni.backends") if ep.name == key]
    path = capabilities_path(modules[0] if modules else f"pynn_uni.{key}")
    if path is None:
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def _seeds(sim) -> dict:
    seeds = {k: v for k, v in sim.extra.items() if "seed" in k}
    for k, v in sim.backend.settings().items():
        if "seed" in k:
            seeds.setdefault(k, v)
    for k, v in sim.backend.seeds().items():  # what the simulator really used
        seeds.setdefault(k, v)
    connector_seeds = []
    for proj in sim.projections:
        rng = getattr(proj._connector, "rng", None)
        connector_seeds.append(DEFAULT_SEED if rng is None else getattr(rng, "seed", None))
    seeds["connectors"] = connector_seeds
    return _jsonable(seeds)


def network(sim) -> dict:
    """Populations (label, size, cell type, parameters) and projections (pre, post,
    connector, synapse type, receptor, connection count) of simulation ``sim``."""
    pops = []
    for p in sim.populations:
        ct = p.celltype.describe(template=None)
        pops.append(
            {
                "label": p.label,
                "size": int(p.size),
                "celltype": ct.get("name", type(p.celltype).__name__),
                "parameters": _jsonable(ct.get("parameters", {})),
            }
        )
    projs = []
    for q in sim.projections:
        syn = q.synapse_type.describe(template=None)
        conn = q._connector
        projs.append(
            {
                "label": q.label,
                "pre": q.pre.label,
                "post": q.post.label,
                "connector": _jsonable(
                    conn.describe(template=None) if hasattr(conn, "describe") else repr(conn)
                ),
                "synapse_type": syn.get("name"),
                "synapse_parameters": _jsonable(syn.get("parameters", {})),
                "receptor_type": q.receptor_type,
                "size": int(len(q)),
            }
        )
    return {"populations": pops, "projections": projs}


def record(sim) -> dict:
    """The provenance record of simulation ``sim`` (a :class:`~control.Simulation`)."""
    import pynn_uni

    return {
        "schema": SCHEMA,
        "pynn_uni_version": pynn_uni.__version__,
        "backend": backend_key(sim.backend),
        "simulator": sim.backend.name,
        "simulator_version": simulator_version(sim.backend),
        "seeds": _seeds(sim),
        "timestep": sim.dt,
        "min_delay": sim.min_delay,
        "max_delay": sim.max_delay,
        "setup_options": _jsonable(sim.extra),
        "simulated_time": sim.t,
        "network": network(sim),
        "timings": dict(sim.timings),  # s: setup, build (setup -> first run), run
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mpi_processes": mpi.num_processes(),
        "script": os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None,
        "argv": list(sys.argv[1:]),
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        # what only the backend knows (e.g. the hardware mapping report), if it says
        "backend_details": _jsonable(_backend_details(sim)),
    }


def _backend_details(sim):
    return sim.backend.provenance_details(sim.t)


def block_annotations(sim) -> dict:
    """Flat annotations for a neo Block: the questions a reader asks first as plain values,
    and the whole record as a JSON string (neo's file formats accept only flat values)."""
    rec = record(sim)
    return {
        "pynn_uni_version": rec["pynn_uni_version"],
        "backend": rec["backend"],
        "simulator_version": rec["simulator_version"],
        "seeds": json.dumps(rec["seeds"], default=repr),
        "build_time": float(rec["timings"]["build"]),
        "run_time": float(rec["timings"]["run"]),
        "host": rec["host"],
        "mpi_processes": int(rec["mpi_processes"]),
        "network": json.dumps(rec["network"], default=repr),
        "provenance": json.dumps(rec, default=repr),
    }


def from_block(block) -> dict:
    """The provenance record stored on a neo Block (read back from any file format)."""
    return json.loads(block.annotations["provenance"])


def provenance(as_json: bool = True) -> str | dict:
    """``sim.provenance()``: the current simulation's record, as JSON (or a dict)."""
    rec = record(current_simulation())
    return json.dumps(rec, indent=2, default=repr) if as_json else rec


def dump_on_end(sim) -> None:
    """Under ``pynn-uni run`` (``PYNN_UNI_OUTPUT_DIR`` set): write every population's
    recorded data as ``<label>.pkl`` (neo pickle, provenance annotated) and the record as
    ``provenance.json``, so ``compare`` needs no change to the user's script."""
    out = os.environ.get(OUTPUT_DIR_ENV)
    if not out or getattr(sim, "_dumped", False):
        return
    sim._dumped = True
    import pickle

    writer = mpi.rank() == 0  # every rank gathers (get_data is collective), one writes

    if writer:
        os.makedirs(out, exist_ok=True)
    used: set[str] = set()
    for k, pop in enumerate(sim.populations):
        recorder = getattr(pop, "recorder", None)
        if recorder is None or not any(m.any() for m in recorder.recorded.values()):
            continue
        name = _safe(pop.label or f"population{k}")
        while name in used:
            name += "_"
        used.add(name)
        block = pop.get_data("spikes" if _spikes_only(pop) else "all")
        if not writer:
            continue
        with open(os.path.join(out, f"{name}.pkl"), "wb") as f:
            pickle.dump(block, f)
    if not writer:
        return
    with open(os.path.join(out, "provenance.json"), "w") as f:
        json.dump(record(sim), f, indent=2, default=repr)


def _spikes_only(pop) -> bool:
    return set(pop.recorder.recorded) == {"spikes"}


def _safe(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
