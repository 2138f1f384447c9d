"""Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1) in plain PyNEST 3.

4000 iaf_cond_exp (3200 exc / 800 inh), pairwise Bernoulli p = 0.02, 4 nS exc / 51 nS inh,
0.2 ms delays, V(0) ~ U[-60, -50] mV, kicked by 20 Poisson cells (50 Hz for the first
50 ms, p = 0.1, 100 nS) and then self-sustained; 1 s at dt = 0.1 ms, spikes of all cells
recorded.  The 20 stimulus cells are poisson_generator + parrot_neuron pairs, because a
NEST generator sends an independent train to each target while a stimulus *cell* is one
train (this is also the node structure PyNN gives a SpikeSourcePoisson population).

``--scale s`` multiplies the cell counts by s and divides p by s, keeping in-degrees.
"""

from __future__ import annotations

import _bench
import numpy as np

import nest

N_EXC, N_INH, N_STIM = 3200, 800, 20
P_CONN, P_STIM = 0.02, 0.1
DT, DELAY = 0.1, 0.2  # ms
CELL = {  # NEST names and units: pF, nS, mV, ms
    "C_m": 200.0,
    "g_L": 200.0 / 20.0,
    "E_L": -60.0,
    "V_th": -50.0,
    "V_reset": -60.0,
    "t_ref": 5.0,
    "tau_syn_ex": 5.0,
    "tau_syn_in": 10.0,
    "E_ex": 0.0,
    "E_in": -80.0,
    "I_e": 0.0,
}
W_EXC, W_INH, W_STIM = 4.0, -51.0, 100.0  # nS; NEST wants inhibitory conductances negative


def main() -> None:
    args = _bench.options(__doc__)
    n_exc, n_inh = round(N_EXC * args.scale), round(N_INH * args.scale)
    p = min(1.0, P_CONN / args.scale)
    clock = _bench.Clock()
    with clock("build"):
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        nest.SetKernelStatus(
            {"resolution": DT, "rng_seed": args.seed, "local_num_threads": args.threads}
        )
        exc = nest.Create("iaf_cond_exp", n_exc, params=CELL)
        inh = nest.Create("iaf_cond_exp", n_inh, params=CELL)
        cells = exc + inh
        cells.V_m = nest.random.uniform(-60.0, -50.0)
        generators = nest.Create(
            "poisson_generator", N_STIM, params={"rate": 50.0, "start": 0.0, "stop": 50.0}
        )
        stim = nest.Create("parrot_neuron", N_STIM)
        nest.Connect(generators, stim, "one_to_one")
        rule = {"rule": "pairwise_bernoulli", "p": p}
        for pre, w in ((exc, W_EXC), (inh, W_INH)):
            for post in (exc, inh):
                nest.Connect(pre, post, rule, {"weight": w, "delay": DELAY})
        for post in (exc, inh):
            nest.Connect(
                stim,
                post,
                {"rule": "pairwise_bernoulli", "p": P_STIM},
                {"weight": W_STIM, "delay": DELAY},
            )
        recorder = nest.Create("spike_recorder")
        nest.Connect(cells, recorder)
    with clock("run"):
        nest.Simulate(args.sim_time)
    with clock("data"):
        events = recorder.get("events")
        senders = np.asarray(events["senders"])
        times = np.asarray(events["times"])
    facts = _bench.kernel_facts(nest)
    _bench.emit(
        "va_coba",
        "nest",
        clock,
        senders.size,
        len(cells),
        args.sim_time,
        facts.pop("connections"),
        scale=args.scale,
        threads=args.threads,
        last_spike_ms=float(times.max()) if times.size else 0.0,
        **facts,
    )


if __name__ == "__main__":
    main()
