"""Brunel (2000) sparse random network in plain PyNEST 3, parameters of NEST's brunel_delta
example: 10000 exc + 2500 inh iaf_psc_delta, J = 0.1 mV, g = 5, eta = 2, delay 1.5 ms,
fixed in-degrees CE = 1000 / CI = 250 (multapses allowed), 1 s at dt = 0.1 ms, spikes of
all neurons recorded.

External drive (rate eta * nu_thr * CE = 20 kHz of J-sized kicks per neuron), three
node structures with the same statistics:

* default: one poisson_generator connected to every neuron (NEST's own example);
* ``--per-neuron``: one poisson_generator per neuron, one-to-one;
* ``--relay``: one poisson_generator + parrot_neuron per neuron (the structure PyNN gives
  a SpikeSourcePoisson population whose cells are real, recordable spike trains).

``--scale s`` multiplies NE and NI by s; the in-degrees stay, so the dynamics stay.
"""

from __future__ import annotations

import _bench
import numpy as np

import nest

NE, NI = 10000, 2500
CE, CI = 1000, 250
J, G, ETA = 0.1, 5.0, 2.0  # mV, -, -
DELAY, DT = 1.5, 0.1  # ms
TAU_M, THETA = 20.0, 20.0  # ms, mV
CELL = {
    "C_m": 1.0,
    "tau_m": TAU_M,
    "t_ref": 2.0,
    "E_L": 0.0,
    "V_reset": 10.0,
    "V_m": 0.0,
    "V_th": THETA,
}
P_RATE = 1000.0 * ETA * THETA / (J * CE * TAU_M) * CE  # Hz, = eta * nu_thr * CE


def main() -> None:
    args = _bench.options(__doc__, relay=True)
    ne, ni = round(NE * args.scale), round(NI * args.scale)
    clock = _bench.Clock()
    with clock("build"):
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        nest.SetKernelStatus(
            {"resolution": DT, "rng_seed": args.seed, "local_num_threads": args.threads}
        )
        nodes_ex = nest.Create("iaf_psc_delta", ne, params=CELL)
        nodes_in = nest.Create("iaf_psc_delta", ni, params=CELL)
        neurons = nodes_ex + nodes_in
        excitatory = {"synapse_model": "static_synapse", "weight": J, "delay": DELAY}
        inhibitory = {"synapse_model": "static_synapse", "weight": -G * J, "delay": DELAY}
        if args.relay or args.per_neuron:
            noise = nest.Create("poisson_generator", len(neurons), params={"rate": P_RATE})
            if args.relay:
                parrots = nest.Create("parrot_neuron", len(neurons))
                nest.Connect(noise, parrots, "one_to_one")
                noise = parrots
            nest.Connect(noise, neurons, "one_to_one", excitatory)
        else:
            noise = nest.Create("poisson_generator", params={"rate": P_RATE})
            nest.Connect(noise, neurons, "all_to_all", excitatory)
        nest.Connect(nodes_ex, neurons, {"rule": "fixed_indegree", "indegree": CE}, excitatory)
        nest.Connect(nodes_in, neurons, {"rule": "fixed_indegree", "indegree": CI}, inhibitory)
        recorder = nest.Create("spike_recorder")
        nest.Connect(neurons, recorder)
    with clock("run"):
        nest.Simulate(args.sim_time)
    with clock("data"):
        events = recorder.get("events")
        senders = np.asarray(events["senders"])
    variant = "relay" if args.relay else "per_neuron" if args.per_neuron else "shared"
    facts = _bench.kernel_facts(nest)
    _bench.emit(
        "brunel",
        "nest",
        clock,
        senders.size,
        len(neurons),
        args.sim_time,
        facts.pop("connections"),
        variant=variant,
        scale=args.scale,
        threads=args.threads,
        **facts,
    )


if __name__ == "__main__":
    main()
