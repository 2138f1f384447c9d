"""The recorded-data format scripts and analysis code rely on (neo Block, PyNN 0.13 layout)."""

from __future__ import annotations

import neo
import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close, lif_first_spike_time


@pytest.mark.model("IF_cond_exp")
def test_get_data_layout(sim):
    """Samples include both ends (T/dt + 1), the first is the initial value, spike trains
    carry source_index and channel_id, units follow the cell type."""
    dt, T = sim.get_time_step(), 20.0
    v0 = np.array([-60.0, -62.0, -64.0])
    # cell 0 is driven to fire: R*I = 20 MOhm * 2 nA = 40 mV, t* = 20 ln(40/25) = 9.4 ms
    cells = sim.Population(
        3,
        sim.IF_cond_exp(i_offset=np.array([2.0, 0.0, 0.0])),
        initial_values={"v": v0},
        label="cells",
    )
    cells.record(["spikes", "v", "gsyn_exc"])
    sim.run(T)
    block = cells.get_data()
    assert isinstance(block, neo.Block)
    assert len(block.segments) == 1
    seg = block.segments[0]
    by_name = {s.name: s for s in seg.analogsignals}
    assert set(by_name) == {"v", "gsyn_exc"}
    v = by_name["v"]
    assert v.shape == (round(T / dt) + 1, 3)
    for sig in seg.analogsignals:
        assert np.isfinite(sig.magnitude).all(), f"{sig.name}: missing samples (NaN)"
    assert_close(float(v.sampling_period.rescale("ms")), dt, rel=1e-9, what="sampling period")
    assert_close(float(v.t_start.rescale("ms")), 0.0, abs_=1e-9, what="t_start")
    assert_close(v.rescale("mV").magnitude[0], v0, abs_=1e-9, what="first sample = initial v")
    assert_close(
        by_name["gsyn_exc"].rescale("uS").magnitude[0],
        np.zeros(3),
        abs_=1e-12,
        what="first gsyn_exc sample",
    )
    assert_close(np.asarray(v.array_annotations["channel_index"]), np.arange(3), what="channels")

    trains = sorted(seg.spiketrains, key=lambda st: st.annotations["source_index"])
    assert [st.annotations["source_index"] for st in trains] == [0, 1, 2]
    assert [int(st.annotations["channel_id"]) for st in trains] == [int(c) for c in cells]
    assert all(st.annotations["source_population"] == "cells" for st in trains)
    assert_close(float(trains[0].t_stop.rescale("ms")), T, abs_=1e-9, what="t_stop")
    t_star = lif_first_spike_time(20.0, 1.0, 2.0, -65.0, -50.0)  # from v0 = -60: earlier
    first = trains[0].rescale("ms").magnitude
    assert len(first) >= 1 and 0 < first[0] < t_star + dt
    assert len(trains[1]) == 0 and len(trains[2]) == 0


@pytest.mark.model("IF_curr_exp")
def test_population_view_data_is_filtered(sim):
    """A view shares its parent's recorder; its get_data holds only the view's cells."""
    cells = sim.Population(4, sim.IF_curr_exp(), initial_values={"v": np.arange(4) - 70.0})
    view = cells[1:3]
    cells.record("v")
    sim.run(5.0)
    sig = view.get_data().segments[0].analogsignals[0]
    assert sig.shape[1] == 2
    assert_close(
        sig.rescale("mV").magnitude[0],
        np.array([-69.0, -68.0]),
        abs_=1e-9,
        what="view's initial values",
    )
