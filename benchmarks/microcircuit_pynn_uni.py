"""The cortical microcircuit of ``microcircuit_nest.py`` through pynn_uni: the ``build``
function of ``examples/microcircuit.py`` (PyNN 0.13 API: FixedTotalNumberConnector with
normal_clipped weights and delays, one SpikeSourcePoisson cell per neuron one-to-one, which
pynn_uni.nest runs as one generator per population), spikes of all cells recorded.

Same options and JSON line as ``microcircuit_nest.py``, plus ``--simulator`` (default
nest; threads are NEST's).
"""

from __future__ import annotations

import argparse
import os
import sys

import _bench
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import microcircuit as model  # noqa: E402


def options() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--simulator", default="nest")
    p.add_argument("--scale", type=float, default=0.1)
    p.add_argument("--k-scale", type=float, default=None)
    p.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms")
    p.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--virtual-processes", type=int, default=None, help=_bench.VP_HELP)
    p.add_argument("--seed", type=int, default=20240611)
    return p.parse_args()


def _store_bytes(projections) -> int:
    """Bytes of pynn_uni.nest's read-back copy of the static connections
    (``nest/connection_store.py``; values drawn again hold no array)."""
    from pynn_uni.nest.connection_store import Packed

    def size(p):
        arrays = (p.rest, p.counts) if isinstance(p, Packed) else ()
        return sum(a.nbytes for a in arrays if a is not None)

    return sum(
        size(m.sources) + size(m.targets) + (size(m.pre) if m.pre is not None else 0)
        + sum(size(v) for v in m.values.values())
        for prj in projections
        for m in prj._handle.made or ()
    )  # fmt: skip


def main() -> None:
    args = options()
    sim = _bench.load_simulator(args.simulator)
    k_scale = args.scale if args.k_scale is None else args.k_scale
    nest_only = args.simulator == "nest"
    extra = {**_bench.nest_parallelism(args), "spike_precision": _bench.SPIKE_PRECISION}
    clock = _bench.Clock()
    with clock("build"):
        sim.setup(
            timestep=model.DT,
            min_delay=model.DT,
            rng_seed=args.seed,
            **(extra if nest_only else {}),
        )
        pops, projections = model.build(sim, args.scale, k_scale, args.background, args.seed)
        _bench.barrier()
    with clock("run"):
        sim.run(args.sim_time)
        _bench.barrier()
    with clock("data"):
        trains = [pop.get_data("spikes").segments[0].spiketrains for pop in pops]
    window = (args.sim_time - args.transient) * 1e-3
    counts = [
        sum(int(np.count_nonzero(np.asarray(st) > args.transient)) for st in t) for t in trains
    ]
    spikes = sum(len(st) for t in trains for st in t)
    n = model.sizes(args.scale)
    if nest_only:
        import nest  # already loaded by setup(); only for the diagnostics below

        facts = _bench.kernel_facts(nest)
        facts["read_back_store_mb"] = round(_store_bytes(projections) / 1e6, 1)
    else:
        facts = {"connections": sum(prj.size() for prj in projections)}
    _bench.emit(
        "microcircuit",
        "pynn_uni" if nest_only else f"pynn_uni.{args.simulator}",
        clock,
        spikes,
        int(n.sum()),
        args.sim_time,
        facts.pop("connections"),
        scale=args.scale,
        k_scale=k_scale,
        background=args.background,
        threads=args.threads,
        rtf=round(clock.seconds["run"] / (args.sim_time * 1e-3), 3),
        rates={
            p: round(c / (k * window), 3)
            for p, c, k in zip(model.POPULATIONS, counts, n, strict=True)
        },
        reference={
            p: float(r) for p, r in zip(model.POPULATIONS, model.REFERENCE_RATES, strict=True)
        },
        synapses=int(model.synapse_counts(args.scale, k_scale).sum()),
        **facts,
    )
    sim.end()


if __name__ == "__main__":
    main()
