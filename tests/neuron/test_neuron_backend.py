"""NEURON backend specifics: reset, Poisson statistics, native access, the mechanism cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni import errors  # noqa: E402
from pynn_uni.neuron import compile as nmodl  # noqa: E402


def _network(rate=80.0, n_src=20):
    src = sim.Population(n_src, sim.SpikeSourcePoisson(rate=rate))
    cells = sim.Population(3, sim.IF_cond_exp(tau_refrac=2.0))
    sim.Projection(src, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.004, delay=1.0))  # fmt: skip
    sim.DCSource(amplitude=0.2, start=5.0, stop=150.0).inject_into(cells)
    cells.record(["v", "spikes"])
    src.record("spikes")
    return src, cells


def _data(pop, segment):
    seg = pop.get_data().segments[segment]
    trains = [np.asarray(st.magnitude) for st in seg.spiketrains]
    sigs = [s.magnitude for s in seg.analogsignals]
    return trains, sigs


def test_reset_and_split_runs_replay_exactly():
    sim.setup(timestep=0.1, rng_seed=7)
    src, cells = _network()
    sim.run(200.0)
    sim.reset()
    sim.run(73.3)
    sim.run(126.7)
    a, b = _data(cells, 0), _data(cells, 1)
    assert sum(t.size for t in a[0]) > 0
    for x, y in zip(a[0], b[0], strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a[1][0], b[1][0])
    for x, y in zip(_data(src, 0)[0], _data(src, 1)[0], strict=True):
        np.testing.assert_array_equal(x, y)
    sim.end()


def test_poisson_count_and_grid():
    """Counts of 200 cells at 50 Hz over 2 s: Poisson, mean 100 each; times on the grid."""
    sim.setup(timestep=0.1)
    src = sim.Population(200, sim.SpikeSourcePoisson(rate=50.0, start=100.0))
    src.record("spikes")
    sim.run(2100.0)
    trains = src.get_data().segments[0].spiketrains
    counts = np.array([len(t) for t in trains])
    total, expected = counts.sum(), 200 * 50.0 * 2.0
    assert abs(total - expected) < 5 * np.sqrt(expected)
    assert abs(counts.var() / counts.mean() - 1.0) < 5 * np.sqrt(2.0 / 199)  # Fano factor
    times = np.concatenate([np.asarray(t.magnitude) for t in trains])
    assert times.min() > 100.0
    np.testing.assert_allclose(times / 0.1, np.round(times / 0.1), atol=1e-6)
    sim.end()


def test_native_access_and_connection_set():
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cells = sim.Population(2, sim.IF_curr_exp(cm=[0.5, 0.25]))
    prj = sim.Projection(src, cells, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=1.0, delay=2.0))  # fmt: skip
    assert hasattr(sim.h, "PynnIF")
    assert [sim.native_cell(c).cm for c in cells] == [0.5, 0.25]
    prj.set(weight=np.array([0.5, 2.0]))
    assert [nc.weight[0] for nc in sim.native_connections(prj)] == [0.5, 2.0]
    cells.record("v")
    sim.run(20.0)
    v = cells.get_data().segments[0].filter(name="v")[0].magnitude
    # a 2 nA exp current (tau 5 ms) into 0.25 nF peaks higher than 0.5 nA into 0.5 nF
    assert v[:, 1].max() - v[0, 1] > 4 * (v[:, 0].max() - v[0, 0]) > 0
    # the PSP starts at spike time + delay = 7 ms: v moves first at 7.1 ms
    t = 0.1 * np.arange(v.shape[0])
    assert t[np.flatnonzero(np.abs(v[:, 0] - v[0, 0]) > 1e-12)[0]] == pytest.approx(7.1)
    sim.end()


def test_missing_compiler_says_what_to_install(monkeypatch):
    monkeypatch.setattr(
        nmodl.shutil, "which", lambda name: "/x/nrnivmodl" if name == "nrnivmodl" else None
    )
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.delenv("CXX", raising=False)
    with pytest.raises(nmodl.NMODLCompileError, match="install"):
        nmodl._check_tools()


def test_cache_key_depends_on_version():
    assert nmodl.source_hash("9.0.2") != nmodl.source_hash("9.0.3")
    assert nmodl.source_hash("9.0.2") == nmodl.source_hash("9.0.2")


_FAKE_NRNIVMODL = """#!/bin/sh
echo run >> "$FAKE_LOG"
sleep 1
mkdir -p x86_64 && echo lib > x86_64/libnrnmech.so
"""


def test_concurrent_first_use_compiles_once(tmp_path):
    """Two processes on an empty cache: one compiles (under the lock), the other waits and
    reuses the published folder; nothing half-built is left behind."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "nrnivmodl"
    fake.write_text(_FAKE_NRNIVMODL)
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}",
               PYNN_UNI_CACHE=str(tmp_path / "cache"), FAKE_LOG=str(tmp_path / "log"))  # fmt: skip
    code = textwrap.dedent("""
        from pynn_uni.neuron.compile import build
        print(build("test-version"))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]  # fmt: skip
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1] and outs[0].endswith("libnrnmech.so")
    assert (tmp_path / "log").read_text().count("run") == 1
    leftovers = [p.name for p in (tmp_path / "cache" / "nmodl").iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_noisy_current_replays_after_reset_and_differs_between_cells():
    """Each cell draws its own stream (seeded by rng_seed and its id); reset replays it.
    Held noise of std s into a passive cell (tau_m 10 ms, cm 0.5 nF): v has std
    R s sqrt((1 - a) / (1 + a)), a = exp(-dt / tau_m) (an AR(1) process)."""
    sim.setup(timestep=0.1, rng_seed=3)
    cells = sim.Population(20, sim.IF_curr_exp(cm=0.5, tau_m=10.0, v_thresh=0.0))
    for i in range(20):
        sim.NoisyCurrentSource(mean=0.0, stdev=0.5, dt=0.1).inject_into(cells[i : i + 1])
    cells.record("v")
    sim.run(500.0)
    sim.reset()
    sim.run(500.0)
    segs = cells.get_data().segments
    v0, v1 = (s.filter(name="v")[0].magnitude for s in segs)
    np.testing.assert_array_equal(v0, v1)
    assert not np.allclose(v0[:, 0], v0[:, 1])
    a = np.exp(-0.1 / 10.0)
    expected = 20.0 * 0.5 * np.sqrt((1 - a) / (1 + a))
    assert abs(v0[500:].std(axis=0).mean() / expected - 1.0) < 0.15
    sim.end()


def test_second_ac_source_on_a_cell_is_refused():
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_curr_exp())
    sim.ACSource(amplitude=0.1).inject_into(cells[0:1])
    with pytest.raises(sim.errors.NotSupportedError, match="ACSource"):
        sim.ACSource(amplitude=0.1).inject_into(cells)
    sim.run(5.0)
    sim.end()


def test_cvode_gives_the_fixed_step_result():
    """Self-event cells (AdEx) advance on their own grid events, so the variable-step
    solver changes nothing; IF cells, stepped by the fixed-step loop, refuse CVODE."""
    out = []
    for use_cvode in (False, True):
        sim.setup(timestep=0.1, use_cvode=use_cvode, rtol=1e-6, atol=1e-8)
        cells = sim.Population(1, sim.EIF_cond_exp_isfa_ista(i_offset=0.9))
        cells.record(["v", "spikes"])
        sim.run(100.0)
        seg = cells.get_data().segments[0]
        out.append((seg.filter(name="v")[0].magnitude, np.asarray(seg.spiketrains[0])))
        sim.end()
    assert out[0][1].size > 2
    np.testing.assert_array_equal(out[0][1], out[1][1])
    np.testing.assert_allclose(out[0][0][:-1], out[1][0][:-1], atol=1e-9)
    sim.setup(timestep=0.1, use_cvode=True)
    with pytest.raises(errors.NotSupportedError, match="IF_cond_alpha.*fixed-step"):
        sim.Population(1, sim.IF_cond_alpha())
    sim.Population(1, sim.Izhikevich())  # and the simulator is still usable
    sim.run(10.0)
    sim.end()


def _isis(source, run_ms=2000.0, split=None):
    source.record("spikes")
    for chunk in split or [run_ms]:
        sim.run(chunk)
    trains = [np.asarray(t.magnitude) for t in source.get_data().segments[0].spiketrains]
    return trains, np.concatenate([np.diff(t) for t in trains])


def test_gamma_source_rate_and_regularity():
    """Order alpha = 3, beta = 60 Hz: rate beta / alpha = 20 Hz, ISI CV 1 / sqrt(3); a split
    run gives the same trains."""
    runs = []
    for split in (None, [700.0, 1300.0]):
        sim.setup(timestep=0.1, rng_seed=11)
        runs.append(_isis(sim.Population(100, sim.SpikeSourceGamma(alpha=3, beta=60.0)),
                          split=split))  # fmt: skip
        sim.end()
    (trains, isi), (trains2, _) = runs
    for a, b in zip(trains, trains2, strict=True):
        np.testing.assert_array_equal(a, b)
    n = sum(t.size for t in trains)
    assert abs(n - 4000) < 5 * np.sqrt(4000 / 3)  # renewal count variance ~ N CV^2
    assert abs(isi.std() / isi.mean() - 1 / np.sqrt(3)) < 0.05


def test_poisson_refractory_dead_time():
    """50 Hz with a 5 ms dead time: ISIs >= 5 ms (on the grid), mean 20 ms, CV 0.75."""
    sim.setup(timestep=0.1)
    source = sim.Population(100, sim.SpikeSourcePoissonRefractory(rate=50.0, tau_refrac=5.0))
    _, isi = _isis(source)
    sim.end()
    assert isi.min() >= 5.0 - 0.1 - 1e-9
    assert abs(isi.mean() - 20.0) < 5 * 15.0 / np.sqrt(isi.size)
    assert abs(isi.std() / isi.mean() - 0.75) < 0.05


def test_facets_translation():
    from pynn_uni.neuron import translations as tr

    native = tr.to_native("IF_facets_hardware1", {"g_leak": 40.0, "v_rest": -65.0})
    assert native["tau_m"] == pytest.approx(5.0)  # 0.2 nF / 0.04 uS
    assert (native["cm"], native["tau_refrac"], native["e_rev_E"]) == (0.2, 1.0, 0.0)
    assert "g_leak" not in native and native["v_rest"] == -65.0


@pytest.mark.parametrize(
    ("model", "drive"),
    [("IF_cond_exp", 1.0), ("EIF_cond_exp_isfa_ista", 1.0), ("Izhikevich", 0.02),
     ("HH_cond_exp", 1.0), ("IF_curr_delta", 1.0)],
)  # fmt: skip
def test_a_run_ending_at_a_spike_reports_it(model, drive):
    """As on NEST, a spike in the last step of run(T) is in get_data() right after it (the
    cell emits at the grid time, not a rounding error later, in the next run)."""
    sim.setup(timestep=0.1)
    cell = sim.Population(1, getattr(sim, model)(i_offset=drive))
    cell.record("spikes")
    sim.run(60.0)
    first = float(cell.get_data().segments[0].spiketrains[0].magnitude[0])
    sim.end()
    sim.setup(timestep=0.1)
    cell = sim.Population(1, getattr(sim, model)(i_offset=drive))
    cell.record("spikes")
    sim.run(first)
    np.testing.assert_allclose(cell.get_data().segments[0].spiketrains[0].magnitude, [first])
    sim.end()
