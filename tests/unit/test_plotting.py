"""pynn_uni.utility.plotting: Figure/Panel over synthetic Neo data, drawn with Agg."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib
import neo
import numpy as np
import pytest
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from pynn_uni.errors import InvalidDimensionsError
from pynn_uni.utility.plotting import (
    DataTable,
    Figure,
    Histogram,
    Panel,
    comparison_plot,
    connection_plot,
    isi_histogram,
    plot_signal,
    variable_names,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N_SAMPLES = 11  # 0 to 1 ms at 0.1 ms


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_signal(channel_index=(2, 0, 1), name="v"):
    """Column k holds the constant k + 10 so lines are identifiable."""
    values = np.tile(np.arange(len(channel_index)) + 10.0, (N_SAMPLES, 1))
    sig = neo.AnalogSignal(values, units="mV", sampling_period=0.1 * pq.ms, name=name)
    sig.array_annotate(channel_index=np.array(channel_index))
    return sig


def make_trains():
    """Four trains given in seconds (to check conversion to ms), source_index 3..6."""
    times = [[0.002, 0.004], [], [0.001], [0.003, 0.005, 0.007]]
    return [
        neo.SpikeTrain(t * pq.s, t_start=0 * pq.s, t_stop=0.01 * pq.s, source_index=i + 3)
        for i, t in enumerate(times)
    ]


def test_import_is_cheap():
    code = "import sys, pynn_uni.utility.plotting; print('matplotlib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr


def test_figure_with_signal_and_spikes_saved_to_png(tmp_path):
    signal = make_signal()
    trains = make_trains()
    fig = Figure(
        Panel(signal, ylabel="Membrane potential (mV)"),
        Panel(trains, xticks=True, xlabel="Time (ms)"),
        Panel(SpikeTrainList(items=trains)),
        title="Test",
        annotations="synthetic data",
    )
    path = tmp_path / "out" / "fig.png"  # folder created by save()
    fig.save(str(path))
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    ax_v, ax_raster, ax_list = fig.fig.axes
    lines = ax_v.get_lines()
    assert len(lines) == 3  # one per channel
    # drawn in cell-index order; cell 0 is column 1 (value 11)
    assert [line.get_label() for line in lines] == ["Neuron 0", "Neuron 1", "Neuron 2"]
    np.testing.assert_array_equal(lines[0].get_ydata(), np.full(N_SAMPLES, 11.0))
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(N_SAMPLES) * 0.1)
    assert ax_v.get_ylabel() == "Membrane potential (mV)"

    for ax in (ax_raster, ax_list):
        (raster,) = ax.get_lines()  # all spikes in one marker-only line
        order = np.argsort(raster.get_xdata())
        np.testing.assert_allclose(raster.get_xdata()[order], [1, 2, 3, 4, 5, 7])  # ms
        np.testing.assert_array_equal(raster.get_ydata()[order], [5, 3, 6, 3, 6, 6])
        assert ax.get_ylim() == (2.5, 6.5)
        np.testing.assert_allclose(ax.get_xlim(), (0.0, 10.0))
        assert ax.get_ylabel() == "Neuron index"
    assert ax_raster.get_xlabel() == "Time (ms)"


def test_tick_labels_hidden_unless_requested():
    fig = Figure(Panel(make_signal()), Panel(make_signal(), xticks=True, yticks=True))
    fig.fig.canvas.draw()
    hidden, shown = fig.fig.axes
    assert not any(t.get_visible() and t.get_text() for t in hidden.get_xticklabels())
    assert any(t.get_visible() and t.get_text() for t in shown.get_xticklabels())
    assert any(t.get_visible() and t.get_text() for t in shown.get_yticklabels())


def test_each_figure_is_new_and_settings_do_not_leak():
    font_size = plt.rcParams["font.size"]
    first = Figure(Panel(make_signal()), settings={"font.size": 3})
    second = Figure(Panel(make_signal()), Panel(make_signal()))
    assert first.fig is not second.fig
    assert len(first.fig.axes) == 1 and len(second.fig.axes) == 2
    assert plt.rcParams["font.size"] == font_size
    np.testing.assert_allclose(second.fig.get_size_inches(), (6, 2 * 2 + 1.2))


def test_panel_options_signal_offset_and_auto_label():
    fig = Figure(
        Panel(make_signal(channel_index=(0, 1)), y_offset=100, ylabel="auto", legend=False)
    )
    (ax,) = fig.fig.axes
    ydata = [line.get_ydata()[0] for line in ax.get_lines()]
    assert ydata == [10.0, 111.0]  # column i shifted by i * 100
    assert ax.get_ylabel() == "v (mV)"
    assert ax.get_legend() is None


@pytest.mark.parametrize("offset", [-10 * pq.mV, -0.01 * pq.V])
def test_panel_y_offset_as_a_quantity(offset):
    # PyNN's current_injection.py example passes y_offset=-10*mV; the quantity is converted
    # to the signal's unit (mV), so column 1 (constant 11 mV) is drawn at 11 - 10 = 1 mV
    fig = Figure(Panel(make_signal(channel_index=(0, 1)), y_offset=offset, legend=False))
    (ax,) = fig.fig.axes
    ydata = [line.get_ydata()[0] for line in ax.get_lines()]
    np.testing.assert_allclose(ydata, [10.0, 1.0])


def test_line_properties_and_data_labels():
    sig = make_signal(channel_index=(0,))
    fig = Figure(
        Panel(sig, sig, data_labels=["nest", "neuron"], line_properties=[{"color": "r"}, {}])
    )
    (ax,) = fig.fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["nest (Neuron 0)", "neuron (Neuron 0)"]
    assert lines[0].get_color() == "r"


def test_image_histogram_and_scatter_panels():
    data = np.arange(100.0)  # 10 bins of 10 values each
    x = np.linspace(0, 1, 20)
    table = DataTable(x, 2 * x + 1)
    popt, _ = table.fit_curve(lambda x, a, b: a * x + b, [1.0, 0.0])
    np.testing.assert_allclose(popt, [2.0, 1.0], atol=1e-8)
    fig = Figure(
        Panel(np.arange(12.0).reshape(3, 4)),
        Panel(Histogram(data)),
        Panel(table, show_fit=True),
    )
    ax_image, ax_colorbar, ax_hist, ax_scatter = fig.fig.axes
    assert len(ax_image.collections) == 1  # the mesh; its colour bar is ax_colorbar
    heights = [p.get_height() for p in ax_hist.patches]
    assert heights == [10] * 10
    np.testing.assert_allclose(ax_hist.patches[0].get_width(), 9.9)
    np.testing.assert_allclose(ax_hist.patches[0].get_x(), 0.0)  # bars start at bin edges
    assert len(ax_scatter.collections) == 1 and len(ax_scatter.get_lines()) == 1
    np.testing.assert_allclose(ax_scatter.get_lines()[0].get_ydata(), 2 * x + 1, atol=1e-8)


def test_panel_rejects_unknown_data():
    with pytest.raises(TypeError, match="cannot draw"):
        Figure(Panel({"a": 1}))
    with pytest.raises(InvalidDimensionsError, match="1 dimensions"):
        Figure(Panel(np.arange(3.0)))
    with pytest.raises(ValueError, match="at least one Panel"):
        Figure()


def test_plot_signal_single_channel():
    fig, ax = plt.subplots()
    plot_signal(ax, make_signal(), index=2, label="v")
    (line,) = ax.get_lines()
    assert line.get_label() == "v (Neuron 1)"
    np.testing.assert_array_equal(line.get_ydata(), np.full(N_SAMPLES, 12.0))


def test_isi_histogram_and_variable_names():
    seg = neo.Segment()
    seg.spiketrains.append(neo.SpikeTrain([1.0, 3.0, 6.0] * pq.ms, t_stop=10 * pq.ms))
    seg.spiketrains.append(neo.SpikeTrain([2.0, 2.5] * pq.ms, t_stop=10 * pq.ms))
    seg.analogsignals += [make_signal(name="v"), make_signal(name="gsyn_exc")]
    np.testing.assert_allclose(np.sort(isi_histogram(seg).data), [0.5, 2.0, 3.0])
    assert variable_names(seg) == {"v", "gsyn_exc"}


def test_comparison_plot():
    segments = []
    for _ in range(2):
        seg = neo.Segment()
        seg.analogsignals.append(make_signal(channel_index=(0, 1)))
        seg.spiketrains.extend(make_trains())
        segments.append(seg)
    # the second segment's signal in volts: rescaled to the first one's mV
    segments[1].analogsignals[0] = segments[1].analogsignals[0].rescale("V")
    fig = comparison_plot(segments, ["nest", "neuron"], title="cmp")
    axes = fig.fig.axes
    assert len(axes) == 2 + 2  # one per (variable, cell) + one raster per segment
    first = axes[0].get_lines()
    assert len(first) == 2
    assert [line.get_linewidth() for line in first] == [3, 1]
    np.testing.assert_allclose(first[1].get_ydata(), first[0].get_ydata())
    assert axes[-1].get_xlabel() == "Time (ms)"


def test_connection_plot():
    class FakeProjection:
        def get(self, name, format):
            assert (name, format) == ("weight", "array")
            return np.array([[0.5, np.nan, 0.0], [np.nan, -0.2, 1.0]])

    assert connection_plot(FakeProjection()) == "O .\n OO"
    assert connection_plot(FakeProjection(), spacer=",") == "O, ,.\n ,O,O"
