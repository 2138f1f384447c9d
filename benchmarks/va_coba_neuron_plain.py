"""Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1) written in plain NEURON, the
way its users write it: the baseline ``pynn_uni.neuron`` is measured against
(``compare_neuron.py``).  Each cell is one ``Section`` with ``pas`` (cm = 0.2 nF, tau_m =
20 ms, E = -60 mV), two ``ExpSyn`` conductance synapses (e = 0 mV, tau = 5 ms; e = -80 mV,
tau = 10 ms) and ``ThreshReset`` (``nmodl/thresh_reset.mod``: threshold -50 mV, reset to
-60 mV, 5 ms refractory), the NetCon source of the cell; one ``NetCon`` per connection; the
kick is 20 Poisson ``NetStim``s (50 Hz, switched off at 50 ms); fixed step dt = 0.1 ms.
The same network statistics as ``va_coba_pynn_uni.py`` (3200 + 800 cells, p = 0.02,
4 / 51 nS, 0.2 ms delays, V(0) ~ U[-60, -50] mV, stimulus p = 0.1, 100 nS; 1 s).

The mechanism is compiled with ``nrnivmodl`` on first use into a cache folder outside the
repository (``$PYNN_UNI_CACHE`` or ``~/.cache/pynn_uni``, ``bench-<hash>``), before the
build clock starts (NEURON's own mechanisms need no compiling).
``--scale s`` multiplies the cell counts by s and divides p by s, keeping in-degrees.
``--threads`` is accepted for a common command line and ignored (one thread).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import tempfile

import _bench
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
N_EXC, N_INH, N_STIM = 3200, 800, 20
P_CONN, P_STIM = 0.02, 0.1
DT, DELAY = 0.1, 0.2  # ms
RATE, STIM_STOP = 50.0, 50.0  # Hz, ms
CM, TAU_M, E_LEAK = 0.2, 20.0, -60.0  # nF, ms, mV
W_EXC, W_INH, W_STIM = 0.004, 0.051, 0.1  # uS
AREA = CM * 1e-3 / 1.0  # cm2 for cm = 1 uF/cm2
DIAM = float(np.sqrt(AREA * 1e8 / np.pi))  # um, L = diam: area = pi diam^2


def mechanisms() -> str:
    """The compiled ThreshReset library, built once per source hash (not timed)."""
    mod = os.path.join(HERE, "nmodl", "thresh_reset.mod")
    with open(mod, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()[:12]
    base = os.environ.get("PYNN_UNI_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pynn_uni"
    )
    entry = os.path.join(base, f"bench-{key}")
    found = glob.glob(os.path.join(entry, "*", "libnrnmech.so"))
    if found:
        return found[0]
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(dir=base)
    shutil.copy(mod, work)
    subprocess.run(["nrnivmodl"], cwd=work, check=True, capture_output=True)
    try:
        os.rename(work, entry)  # atomic publish; a concurrent build that won is used instead
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
    return glob.glob(os.path.join(entry, "*", "libnrnmech.so"))[0]


def bernoulli(n_pre: int, n_post: int, p: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) index pairs, each present with probability p."""
    pre, post = np.nonzero(rng.random((n_pre, n_post)) < p)
    return pre, post


class Cell:
    """One compartment with a leak, two conductance synapses and threshold / reset."""

    def __init__(self, h, v0: float):
        self.soma = s = h.Section(name="soma")
        s.L = s.diam = DIAM
        s.cm = 1.0
        s.insert("pas")
        s.g_pas = 1e-3 / TAU_M  # S/cm2: cm / tau_m with cm = 1 uF/cm2
        s.e_pas = E_LEAK
        s.v = v0
        self.esyn = h.ExpSyn(s(0.5))
        self.esyn.e, self.esyn.tau = 0.0, 5.0
        self.isyn = h.ExpSyn(s(0.5))
        self.isyn.e, self.isyn.tau = -80.0, 10.0
        self.spiker = h.ThreshReset(s(0.5))
        self.spiker.vth, self.spiker.vreset, self.spiker.trefrac = -50.0, -60.0, 5.0


def main() -> None:
    args = _bench.options(__doc__)
    n_exc, n_inh = round(N_EXC * args.scale), round(N_INH * args.scale)
    p = min(1.0, P_CONN / args.scale)
    rng = np.random.default_rng(args.seed)
    library = mechanisms()
    clock = _bench.Clock()
    with clock("build"):
        from neuron import h

        h.nrn_load_dll(library)
        h.load_file("stdrun.hoc")
        h.dt = DT
        pc = h.ParallelContext()
        v0 = rng.uniform(-60.0, -50.0, n_exc + n_inh).tolist()
        cells = [Cell(h, v) for v in v0]
        stims = []
        for i in range(N_STIM):
            s = h.NetStim()
            s.interval, s.number, s.start, s.noise = 1e3 / RATE, 1e9, 0.0, 1.0
            s.noiseFromRandom123(args.seed % 2**32, i, 0)
            stims.append(s)
        netcons = []
        for pre_first, n_pre, w, syn in ((0, n_exc, W_EXC, "esyn"), (n_exc, n_inh, W_INH, "isyn")):
            for post_first, n_post in ((0, n_exc), (n_exc, n_inh)):
                pre, post = bernoulli(n_pre, n_post, p, rng)
                pre, post = (pre + pre_first).tolist(), (post + post_first).tolist()
                for i, j in zip(pre, post, strict=True):
                    target = getattr(cells[j], syn)
                    netcons.append(h.NetCon(cells[i].spiker, target, 0.0, DELAY, w))
        for post_first, n_post in ((0, n_exc), (n_exc, n_inh)):
            pre, post = bernoulli(N_STIM, n_post, P_STIM, rng)
            for i, j in zip(pre.tolist(), (post + post_first).tolist(), strict=True):
                netcons.append(h.NetCon(stims[i], cells[j].esyn, 0.0, DELAY, W_STIM))
        offs = [h.NetCon(None, s, 0.0, 0.0, -1.0) for s in stims]  # weight < 0: stop
        spike_t, spike_i = h.Vector(), h.Vector()
        recorders = []
        for i, c in enumerate(cells):
            nc = h.NetCon(c.spiker, None)
            nc.record(spike_t, spike_i, i)
            recorders.append(nc)
        h.finitialize()
        for nc in offs:
            nc.event(STIM_STOP)
    with clock("run"):
        pc.set_maxstep(10)
        pc.psolve(args.sim_time)
    with clock("data"):
        t = spike_t.as_numpy().copy()
        i = spike_i.as_numpy().astype(np.int64)
    _bench.emit(
        "va_coba",
        "neuron_plain",
        clock,
        int(t.size),
        n_exc + n_inh,
        args.sim_time,
        len(netcons),
        scale=args.scale,
        threads=1,
        last_spike_ms=float(t.max()) if t.size else 0.0,
        cells=len(cells) + N_STIM,
        recorded_cells=int(np.unique(i).size),
    )


if __name__ == "__main__":
    main()
