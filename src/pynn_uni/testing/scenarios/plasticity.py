"""Synaptic plasticity against its defining equations: pair-based additive STDP and
Tsodyks-Markram depression."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close, psp_exp, tsodyks_markram_x
from pynn_uni.testing.scenarios._data import signal, spike_times


@pytest.mark.model("SpikeSourceArray", "IF_curr_exp", "STDPMechanism")
def test_stdp_additive_pair(sim, tolerance):
    """One pre/post pair per synapse changes the weight by the SpikePairRule exactly.

    Timing at the synapse, with the whole delay d dendritic (``dendritic_delay_fraction=1``,
    the default): the pre spike reaches the synapse when it is emitted, t_pre, and its PSP
    reaches the soma at t_pre + d; the post spike back-propagates to the synapse in d, so
    the synapse sees it at t_post + d.  Hence

        dt = (t_post + d) - t_pre
        dt > 0: dw = +A_plus  * w_max * exp(-dt / tau_plus)
        dt < 0: dw = -A_minus * w_max * exp(+dt / tau_minus)

    (additive dependence, w_min = 0 and w_max never reached).  Synapse 0: pre at 10 ms,
    post about 14 ms, then a late pre spike at 80 ms which also depresses by the (small,
    included) pair (80, t_post).  Synapse 1: post about 14 ms, then pre at 25 ms.
    The post cells are made to fire once each by a strong, brief, separate input.
    """
    d, w0, w_max = 1.5, 0.5, 1.0
    a_plus, a_minus, tau_plus, tau_minus = 0.01, 0.012, 20.0, 15.0
    pre_times = [[10.0, 80.0], [25.0]]
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in pre_times]))
    drive = sim.Population(2, sim.SpikeSourceArray(spike_times=[12.0]))
    # tau_syn_E = 0.5 ms: 60 nA * 0.5 ms / 1 nF = 30 mV kick, gone by the end of tau_refrac
    post = sim.Population(2, sim.IF_curr_exp(tau_syn_E=0.5, tau_refrac=5.0))
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=60.0, delay=1.0))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(
            tau_plus=tau_plus, tau_minus=tau_minus, A_plus=a_plus, A_minus=a_minus
        ),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max),
        weight=w0,
        delay=d,
    )
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    pre.record("spikes")
    post.record("spikes")
    sim.run(100.0)

    for got, wanted in zip(spike_times(pre), pre_times, strict=True):
        assert_close(got, np.array(wanted), abs_=1e-9, what="pre spike times (ms)")
    t_post = spike_times(post)
    assert [len(t) for t in t_post] == [1, 1], f"each post cell must fire once, got {t_post}"
    at_synapse = [t[0] + d for t in t_post]

    def dw(dt):
        if dt > 0:
            return a_plus * w_max * math.exp(-dt / tau_plus)
        return -a_minus * w_max * math.exp(dt / tau_minus)

    expected = np.array(
        [
            dw(at_synapse[0] - 10.0) + dw(at_synapse[0] - 80.0),
            dw(at_synapse[1] - 25.0),
        ]
    )
    assert expected[0] > 0 > expected[1]
    weights = np.asarray(prj.get("weight", format="array"), dtype=float).diagonal()
    assert_close(weights - w0, expected, rel=tolerance["stdp_rel"], what="STDP weight change (nA)")


@pytest.mark.model("SpikeSourceArray", "IF_curr_exp", "TsodyksMarkramSynapse")
def test_tsodyks_markram_depression(sim, tolerance):
    """A regular 50 Hz train through a depressing synapse (U = 0.5, tau_rec = 100 ms,
    tau_facil = 0): PSC amplitudes are weight * U * x_k with
    x_{k+1} = 1 - (1 - x_k (1 - U)) exp(-20/100).

    The cell is linear below threshold, so the trace is a sum of exponential-current PSPs of
    known shape; a least-squares fit gives the amplitude of each.  tau_syn_E = 0.5 ms keeps
    the transmitter's own time course (which some implementations model as a third state)
    short against tau_rec: its effect on x is below 0.4 %.
    """
    weight, U, interval, n = 1.0, 0.5, 20.0, 5
    spikes = 10.0 + interval * np.arange(n)
    cell_params = dict(cm=1.0, tau_m=20.0, tau_syn_E=0.5, v_rest=-65.0, v_thresh=0.0)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=spikes))
    cell = sim.Population(1, sim.IF_curr_exp(**cell_params), initial_values={"v": -65.0})
    sim.Projection(
        source,
        cell,
        sim.AllToAllConnector(),
        sim.TsodyksMarkramSynapse(U=U, tau_rec=100.0, tau_facil=0.0, weight=weight, delay=1.0),
    )
    cell.record("v")
    sim.run(spikes[-1] + 40.0)
    t, v = signal(cell, "v")
    deviation = v[:, 0] - cell_params["v_rest"]
    kernels = np.stack([psp_exp(t, s + 1.0, 1.0, 20.0, 0.5, 1.0) for s in spikes], axis=1)
    amplitudes, *_ = np.linalg.lstsq(kernels, deviation, rcond=None)
    x = tsodyks_markram_x(n, U, 100.0, interval)
    rel = tolerance["stp_rel"]
    assert_close(amplitudes[0], weight * U, rel=rel, what="first PSC amplitude (nA)")
    assert_close(amplitudes / amplitudes[0], x, rel=rel, what="PSC amplitude ratios")
    residual = np.abs(kernels @ amplitudes - deviation).max()
    assert residual < tolerance["v_rel"] * np.abs(deviation).max(), "trace is not a PSP sum"
