"""Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1) written directly against
NEURON's Python API, with the same mechanisms ``pynn_uni.neuron`` uses (``PynnIF`` point
processes on one current-free segment, stepped by NEURON's fixed-step loop, with the
end-of-run spike flush of recorded cells; ``PynnRelay`` stimulus cells, one ``NetCon`` per
connection), loaded through
``pynn_uni.neuron.compile``.  It is the baseline the NEURON backend is measured against:
the same network as ``va_coba_nest.py`` / ``va_coba_pynn_uni.py`` (3200 + 800 cells,
p = 0.02, 4 / 51 nS, 0.2 ms delays, V(0) ~ U[-60, -50] mV, 20 Poisson cells at 50 Hz for
50 ms, p = 0.1, 100 nS; 1 s at dt = 0.1 ms), PyNN units (nF, uS, mV, ms).

``--scale s`` multiplies the cell counts by s and divides p by s, keeping in-degrees.
``--threads`` is accepted for a common command line and ignored (one thread).
"""

from __future__ import annotations

import _bench
import numpy as np

# outside the build clock: importing the loader imports pynn_uni's package (the PyNN layer),
# which the pynn_uni script also imports before its clock starts
from pynn_uni.neuron.compile import load

N_EXC, N_INH, N_STIM = 3200, 800, 20
P_CONN, P_STIM = 0.02, 0.1
DT, DELAY = 0.1, 0.2  # ms
RATE, STIM_STOP = 50.0, 50.0  # Hz, ms
CELL = {  # PynnIF parameters, PyNN units
    "cm": 0.2,
    "tau_m": 20.0,
    "v_rest": -60.0,
    "v_thresh": -50.0,
    "v_reset": -60.0,
    "tau_refrac": 5.0,
    "tau_syn_E": 5.0,
    "tau_syn_I": 10.0,
    "e_rev_E": 0.0,
    "e_rev_I": -80.0,
    "i_offset": 0.0,
    "cond": 1.0,  # conductance-based, exponential synapses: IF_cond_exp
    "alpha": 0.0,
    "grid": DT,
    "nsub": 1.0,  # RK4 substeps: ceil(10 dt / fastest tau) = ceil(1 / 5 ms)
}
W_EXC, W_INH, W_STIM = 0.004, 0.051, 0.1  # uS


def bernoulli(n_pre: int, n_post: int, p: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) index pairs, each pair present with probability p, no autapse filter
    (PyNN's FixedProbabilityConnector between distinct populations)."""
    mask = rng.random((n_pre, n_post)) < p
    pre, post = np.nonzero(mask)
    return pre, post


def main() -> None:
    args = _bench.options(__doc__)
    n_exc, n_inh = round(N_EXC * args.scale), round(N_INH * args.scale)
    p = min(1.0, P_CONN / args.scale)
    rng = np.random.default_rng(args.seed)
    clock = _bench.Clock()
    with clock("build"):
        from neuron import h  # as in pynn_uni's setup(), NEURON itself loads inside the clock

        load(h)
        h.load_file("stdrun.hoc")
        h.dt = DT
        pc = h.ParallelContext()
        pc.set_maxstep(10)
        host = h.Section(name="host")
        cells = [h.PynnIF(host(0.5)) for _ in range(n_exc + n_inh)]
        v0 = rng.uniform(-60.0, -50.0, len(cells)).tolist()
        for c, v in zip(cells, v0, strict=True):
            for k, x in CELL.items():
                setattr(c, k, x)
            c.v_init = v
        stim = [h.PynnRelay() for _ in range(N_STIM)]
        feeds = [h.NetCon(None, s) for s in stim]
        netcons = []
        NetCon = h.NetCon  # a hoc attribute lookup per call would cost ~4 us  # noqa: N806
        groups = (
            (0, n_exc, W_EXC, 0.0, p),
            (n_exc, n_inh, W_INH, 1.0, p),
        )
        for first, n_pre, w, receptor, prob in groups:
            for post_first, n_post in ((0, n_exc), (n_exc, n_inh)):
                pre, post = bernoulli(n_pre, n_post, prob, rng)
                pre, post = (pre + first).tolist(), (post + post_first).tolist()
                made = [
                    NetCon(cells[i], cells[j], 0.0, DELAY, w)
                    for i, j in zip(pre, post, strict=True)
                ]
                if receptor:
                    for nc in made:
                        nc.weight[1] = receptor
                netcons += made
        for post_first, n_post in ((0, n_exc), (n_exc, n_inh)):
            pre, post = bernoulli(N_STIM, n_post, P_STIM, rng)
            for i, j in zip(pre.tolist(), (post + post_first).tolist(), strict=True):
                netcons.append(NetCon(stim[i], cells[j], 0.0, DELAY, W_STIM))
        spike_t, spike_i = h.Vector(), h.Vector()
        recorders, flush = [], []
        for i, c in enumerate(cells):
            nc = h.NetCon(c, None)
            nc.record(spike_t, spike_i, i)
            recorders.append(nc)
            nc = h.NetCon(None, c)  # a spike in the run's last step, recorded in this run
            nc.weight[1] = 3
            flush.append(nc)
        # Poisson trains of the stimulus cells, rounded up to the grid
        n_spk = rng.poisson(RATE * STIM_STOP * 1e-3, N_STIM)
        src = np.repeat(np.arange(N_STIM), n_spk)
        times = np.ceil(rng.uniform(0.0, STIM_STOP, src.size) / DT) * DT
        order = np.argsort(times, kind="stable")
        src, times = src[order], times[order]
        h.finitialize()
        for i, t in zip(src.tolist(), times.tolist(), strict=True):
            if t > 0.0:
                feeds[i].event(t)
        for nc in flush:
            nc.event(args.sim_time - 0.25 * DT)
    with clock("run"):
        pc.psolve(args.sim_time)
    with clock("data"):
        t = spike_t.as_numpy().copy()
        i = spike_i.as_numpy().astype(np.int64)
    spikes = int(t.size)
    last = float(t.max()) if t.size else 0.0
    _bench.emit(
        "va_coba",
        "neuron",
        clock,
        spikes,
        n_exc + n_inh,
        args.sim_time,
        len(netcons),
        scale=args.scale,
        threads=1,
        last_spike_ms=last,
        cells=len(cells) + N_STIM,
        recorded_cells=int(np.unique(i).size),
    )


if __name__ == "__main__":
    main()
