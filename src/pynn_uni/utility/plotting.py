"""Quick multi-panel figures of recorded (Neo) data: ``Figure(Panel(...), Panel(...))``.

Meant for a first look at results, not publication figures.  A :class:`Panel` picks the
drawing from the data type: an ``AnalogSignal`` gives one line per channel, spike trains
a raster (y = index of the cell in its population), a 2-D array an image, a
:class:`DataTable` a scatter plot and a :class:`Histogram` bars.  Times are drawn in ms.

matplotlib and neo are imported inside the functions, so importing this module is cheap;
without a display (Linux, no ``DISPLAY``/``WAYLAND_DISPLAY``, no ``MPLBACKEND``) the
non-interactive 'Agg' backend is selected before ``pyplot`` is first imported.

As in PyNN, tick labels are hidden unless the panel option ``xticks``/``yticks`` is true.
Unlike PyNN, every :class:`Figure` is a new matplotlib figure (never figure number 1),
and ``settings`` apply to that figure only instead of changing global ``rcParams``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from pynn_uni.errors import InvalidDimensionsError

__all__ = [
    "DEFAULT_FIG_SETTINGS",
    "DataTable",
    "Figure",
    "Histogram",
    "Panel",
    "comparison_plot",
    "connection_plot",
    "isi_histogram",
    "plot_array_as_image",
    "plot_hist",
    "plot_signal",
    "plot_signals",
    "plot_spiketrainlist",
    "plot_spiketrains",
    "scatterplot",
    "variable_names",
]

logger = logging.getLogger("pynn_uni")

#: matplotlib rc settings used while a Figure is built and saved, unless ``settings`` given.
DEFAULT_FIG_SETTINGS = {
    "lines.linewidth": 0.5,
    "axes.linewidth": 0.5,
    "axes.labelsize": "small",
    "legend.fontsize": "small",
    "font.size": 8,
    "savefig.dpi": 150,
}


def _pyplot():
    """Import pyplot, choosing 'Agg' first when there is no display to draw on."""
    import matplotlib

    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# -- per-axes helpers ---------------------------------------------------------------------


def _apply_axes_options(ax, options: dict) -> dict:
    """Apply the axes-level panel options and return the rest (for the matplotlib call).

    ``xticks``/``yticks``: True shows tick labels, a sequence sets tick positions (and shows
    them), absent or False hides the labels.  ``xticklabels``/``yticklabels``: labels for
    those positions.  ``xlabel``, ``ylabel``, ``xlim``, ``ylim`` as in matplotlib.
    """
    opts = dict(options)
    for axis in ("x", "y"):
        ticks = opts.pop(f"{axis}ticks", False)
        labels = opts.pop(f"{axis}ticklabels", None)
        set_ticks = getattr(ax, f"set_{axis}ticks")
        if ticks is not None and not isinstance(ticks, bool):
            set_ticks(list(ticks), labels=None if labels is None else list(labels))
        elif labels is not None and not isinstance(labels, bool):
            set_ticks(getattr(ax, f"get_{axis}ticks")(), labels=list(labels))
        visible = bool(ticks is not None and ticks is not False) or labels is True
        ax.tick_params(axis=axis, **{"labelbottom" if axis == "x" else "labelleft": visible})
        if f"{axis}label" in opts:
            getattr(ax, f"set_{axis}label")(opts.pop(f"{axis}label"))
        if f"{axis}lim" in opts:
            getattr(ax, f"set_{axis}lim")(opts.pop(f"{axis}lim"))
    return opts


def _corner_label(ax, label: str | None) -> None:
    if label:
        ax.text(
            0.95,
            0.95,
            label,
            transform=ax.transAxes,
            ha="right",
            va="top",
            bbox={"facecolor": "white", "alpha": 1.0},
        )


def _auto_ylabel(signal, options: dict) -> dict:
    if options.get("ylabel") == "auto":
        options = {**options, "ylabel": f"{signal.name} ({signal.dimensionality.string})"}
    return options


# -- drawing functions (one per data kind) ---------------------------------------------------


def plot_signal(ax, signal, index: int | None = None, label: str = "", **options) -> None:
    """Draw one channel (column ``index``, or the only one) of a Neo signal against time
    in ms, labelled with its cell index; ``ylabel='auto'`` gives "name (units)"."""
    options = _apply_axes_options(ax, _auto_ylabel(signal, options))
    channels = signal.array_annotations.get("channel_index")
    column = 0 if index is None else index
    channel = channels[column] if channels is not None and len(channels) > column else column
    times = signal.times.rescale("ms").magnitude
    values = np.asarray(signal.magnitude)
    values = values[:, column] if values.ndim == 2 else values
    ax.plot(times, values, label=f"{label} (Neuron {int(channel)})", **options)
    ax.legend()


def plot_signals(ax, signal_array, label_prefix: str = "", **options) -> None:
    """Draw every channel of a Neo signal as its own line, in cell-index order.

    Extra options: ``ylabel='auto'``, ``y_offset`` (a number in the signal's unit, or a
    quantity such as ``-10 * mV``; column ``i`` is shifted by ``i * y_offset`` to stack
    traces) and ``legend`` (default True).
    """
    options = _apply_axes_options(ax, _auto_ylabel(signal_array, options))
    offset = options.pop("y_offset", None)
    if hasattr(offset, "rescale"):  # a quantity (e.g. -10 * mV): in the signal's unit
        offset = float(offset.rescale(signal_array.units).magnitude)
    show_legend = options.pop("legend", True)
    values = np.asarray(signal_array.magnitude)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    times = signal_array.times.rescale("ms").magnitude
    channels = signal_array.array_annotations.get("channel_index")
    order = np.argsort(channels, kind="stable") if channels is not None else range(values.shape[1])
    for i in order:
        if channels is not None:
            name = f"Neuron {int(channels[i])}"
            text = f"{label_prefix} ({name})" if label_prefix else name
        else:
            text = f"{label_prefix} ({i})" if label_prefix else str(i)
        y = values[:, i] + i * offset if offset else values[:, i]
        ax.plot(times, y, label=text, **options)
    if show_legend:
        ax.legend()


def _raster_points(spiketrains: Iterable) -> tuple[np.ndarray, np.ndarray, list, float, float]:
    """Spike times (ms) and row numbers for a raster, plus the rows and the time span.

    The row of a train is its ``source_index`` annotation (index in the population), else
    its ``channel_id``, else its position in the list.
    """
    times, rows, all_rows = [], [], []
    t_start, t_stop = np.inf, -np.inf
    for position, train in enumerate(spiketrains):
        ann = train.annotations
        row = ann.get("source_index", ann.get("channel_id", position))
        t = np.asarray(train.rescale("ms").magnitude, dtype=float)
        times.append(t)
        rows.append(np.full(t.shape, row, dtype=float))
        all_rows.append(row)
        t_start = min(t_start, float(train.t_start.rescale("ms").magnitude))
        t_stop = max(t_stop, float(train.t_stop.rescale("ms").magnitude))
    if not times:
        return np.empty(0), np.empty(0), [], 0.0, 1.0
    return np.concatenate(times), np.concatenate(rows), all_rows, t_start, t_stop


def plot_spiketrains(ax, spiketrains, label: str = "", **options) -> None:
    """Raster plot of a list of Neo ``SpikeTrain``: a dot per spike, one row per cell.

    All spikes are drawn as a single matplotlib line (markers only), so large rasters stay
    fast; the x range is the trains' recording span in ms unless ``xlim`` is given.
    """
    times, rows, all_rows, t_start, t_stop = _raster_points(spiketrains)
    if t_stop > t_start:
        ax.set_xlim(t_start, t_stop)
    user_ylim = "ylim" in options
    options = _apply_axes_options(ax, options)
    options.pop("legend", None)  # a raster has no legend
    options.setdefault("marker", ".")
    options.setdefault("linestyle", "none")
    options.setdefault("color", "k")
    ax.plot(times, rows, **options)
    if not ax.get_ylabel():
        ax.set_ylabel("Neuron index")
    if all_rows and not user_ylim:
        ax.set_ylim(min(all_rows) - 0.5, max(all_rows) + 0.5)
    _corner_label(ax, label)


def plot_spiketrainlist(ax, spiketrains, label: str = "", **options) -> None:
    """Raster plot of a Neo ``SpikeTrainList`` (what ``segment.spiketrains`` is)."""
    plot_spiketrains(ax, list(spiketrains), label=label, **options)


def plot_array_as_image(ax, arr, label: str = "", **options) -> None:
    """Draw a 2-D array as a colour mesh with equal aspect; ``legend`` (default True)
    adds a colour bar."""
    options = _apply_axes_options(ax, options)
    show_legend = options.pop("legend", True)
    mesh = ax.pcolormesh(np.asarray(arr), **options)
    ax.set_aspect("equal")
    _corner_label(ax, label)
    if show_legend:
        ax.figure.colorbar(mesh, ax=ax)


def scatterplot(ax, data_table: DataTable, label: str = "", **options) -> None:
    """Scatter plot of a :class:`DataTable`; ``show_fit=True`` adds its fitted curve."""
    options = _apply_axes_options(ax, options)
    options.pop("legend", None)
    if options.pop("show_fit", False):
        ax.plot(data_table.x, data_table.y_fit, "k-")
    ax.scatter(data_table.x, data_table.y, **options)
    _corner_label(ax, label)


def plot_hist(ax, histogram: Histogram, label: str = "", **options) -> None:
    """Bar chart of a :class:`Histogram`, each bar spanning its bin."""
    options = _apply_axes_options(ax, options)
    options.pop("legend", None)
    histogram.evaluate()
    ax.bar(
        histogram.bins[:-1], histogram.values, width=histogram.bin_width, align="edge", **options
    )
    _corner_label(ax, label)


def variable_names(segment) -> set[str]:
    """Names of the analog signals (the recorded variables) in a Neo segment."""
    return {signal.name for signal in segment.analogsignals}


# -- figure building --------------------------------------------------------------------------


class Figure:
    """A column of :class:`Panel` s drawn into one new matplotlib figure (``.fig``).

    ``title`` goes on top, ``annotations`` (multi-line text) at the bottom; ``settings``
    are matplotlib rc settings (default :data:`DEFAULT_FIG_SETTINGS`) used while building
    and saving; ``size`` is (width, height) in inches, default (6, 2 * n_panels + 1.2).
    """

    def __init__(
        self,
        *panels: Panel,
        title: str | None = None,
        settings: dict | None = None,
        annotations: str | None = None,
        size: tuple[float, float] | None = None,
    ) -> None:
        if not panels:
            raise ValueError("Figure needs at least one Panel")
        import matplotlib
        from matplotlib.gridspec import GridSpec

        plt = _pyplot()
        self.settings = dict(DEFAULT_FIG_SETTINGS if settings is None else settings)
        width, height = size if size is not None else (6, 2 * len(panels) + 1.2)
        with matplotlib.rc_context(self.settings):
            self.fig = plt.figure(figsize=(width, height))
            grid = GridSpec(
                len(panels),
                1,
                figure=self.fig,
                top=1 - 0.8 / height,
                hspace=0.25,
                bottom=1.2 / height if annotations else None,
            )
            for i, panel in enumerate(panels):
                panel.plot(self.fig.add_subplot(grid[i, 0]))
            if title is not None:
                self.fig.text(0.5, 1 - 0.5 / height, title, ha="center", va="top", fontsize="large")
            if annotations:
                self.fig.text(0.01, 0.01, annotations, fontsize=6, verticalalignment="bottom")

    @property
    def axes(self) -> list:
        """The panels' matplotlib Axes (plus colour-bar axes), top to bottom."""
        return self.fig.axes

    def save(self, filename: str | os.PathLike) -> None:
        """Write the figure; the format comes from the extension; parent folders are made."""
        import matplotlib

        directory = os.path.dirname(os.fspath(filename))
        if directory:
            os.makedirs(directory, exist_ok=True)
        with matplotlib.rc_context(self.settings):
            self.fig.savefig(filename)

    def show(self) -> None:
        """Display the figure (and any other open pyplot figure) on screen."""
        _pyplot().show()

    def close(self) -> None:
        """Release the figure's memory in pyplot once it is no longer needed."""
        _pyplot().close(self.fig)


class Panel:
    """One panel (matplotlib Axes) of a :class:`Figure`, holding one or more data items.

    Data items: a Neo ``AnalogSignal``/``IrregularlySampledSignal``, a list of
    ``SpikeTrain`` or a ``SpikeTrainList``, a 2-D numpy array, a :class:`DataTable` or a
    :class:`Histogram`.  ``data_labels`` and ``line_properties`` (dicts of matplotlib
    keyword arguments) give one entry per data item.  Other options: ``xlabel``,
    ``ylabel`` (``'auto'`` for signals), ``xticks``, ``yticks``, ``xticklabels``,
    ``yticklabels``, ``xlim``, ``ylim``, ``legend``, ``y_offset``, ``show_fit``, and any
    matplotlib line/marker keyword (``linewidth``, ``markersize``, ``color``...).
    """

    def __init__(
        self,
        *data: Any,
        data_labels: Sequence[str | None] | None = None,
        line_properties: Sequence[dict] | None = None,
        **options: Any,
    ) -> None:
        self.data = list(data)
        self.options = options
        self.data_labels = data_labels
        self.line_properties = line_properties

    def plot(self, axes) -> None:
        """Draw every data item of the panel into ``axes``."""
        from neo import AnalogSignal, IrregularlySampledSignal, SpikeTrain
        from neo.core.spiketrainlist import SpikeTrainList

        labels = repeat(None) if self.data_labels is None else self.data_labels
        props = repeat({}) if self.line_properties is None else self.line_properties
        for datum, label, properties in zip(self.data, labels, props, strict=False):
            kwargs = {**properties, **self.options}
            if isinstance(datum, DataTable):
                scatterplot(axes, datum, label=label, **kwargs)
            elif isinstance(datum, Histogram):
                plot_hist(axes, datum, label=label, **kwargs)
            elif isinstance(datum, (AnalogSignal, IrregularlySampledSignal)):
                plot_signals(axes, datum, label_prefix=label or "", **kwargs)
            elif isinstance(datum, SpikeTrainList):
                plot_spiketrainlist(axes, datum, label=label, **kwargs)
            elif isinstance(datum, SpikeTrain):
                plot_spiketrains(axes, [datum], label=label, **kwargs)
            elif isinstance(datum, (list, tuple)) and all(isinstance(d, SpikeTrain) for d in datum):
                plot_spiketrains(axes, datum, label=label, **kwargs)
            elif isinstance(datum, np.ndarray):
                if datum.ndim != 2:
                    raise InvalidDimensionsError(
                        f"Panel can draw a 2-D array as an image, got {datum.ndim} dimensions"
                    )
                plot_array_as_image(axes, datum, label=label, **kwargs)
            else:
                raise TypeError(
                    f"Panel cannot draw {type(datum).__name__}; expected a Neo signal, spike "
                    "trains, a 2-D array, a DataTable or a Histogram"
                )


def comparison_plot(
    segments: Sequence,
    labels: Sequence[str],
    title: str = "",
    annotations: str | None = None,
    fig_settings: dict | None = None,
    with_spikes: bool = True,
) -> Figure:
    """A :class:`Figure` overlaying the same variable and cell from several segments
    (e.g. one per simulator), one panel per (variable, cell), plus one raster per segment.

    Signals of one variable are rescaled to the units of the first segment that has it.
    """
    logger.info(
        "comparison_plot: variables %s",
        ", ".join(sorted(set().union(*map(variable_names, segments)))),
    )
    n_seg = len(segments)
    line_properties = [
        {"linewidth": 2 * (n_seg - k) - 1, "color": "bcgmkr"[k % 6]} for k in range(n_seg)
    ]
    by_var_and_channel: dict = defaultdict(lambda: defaultdict(list))
    units: dict = {}
    for segment in segments:
        for signal in segment.analogsignals:
            units.setdefault(signal.name, signal.units)
            if signal.units != units[signal.name]:
                signal = signal.rescale(units[signal.name])
            channels = signal.array_annotations.get("channel_index")
            if channels is None:
                channels = np.arange(signal.shape[1])
            for i in np.argsort(channels, kind="stable"):
                by_var_and_channel[signal.name][int(channels[i])].append(signal[:, i])
    panels = []
    for by_channel in by_var_and_channel.values():
        for signals in by_channel.values():
            name = signals[0].name
            ylabel = f"{name} ({signals[0].dimensionality})" if name else None
            panels.append(
                Panel(
                    *signals,
                    line_properties=line_properties,
                    data_labels=labels,
                    yticks=True,
                    ylabel=ylabel,
                )
            )
    if with_spikes and segments and len(segments[0].spiketrains) > 0:
        panels += [
            Panel(seg.spiketrains, data_labels=[lab])
            for seg, lab in zip(segments, labels, strict=False)
        ]
    if not panels:
        raise ValueError("comparison_plot: the segments hold no signals or spike trains")
    panels[-1].options["xticks"] = True
    panels[-1].options["xlabel"] = "Time (ms)"
    return Figure(*panels, title=title, settings=fig_settings, annotations=annotations)


# -- data holders -------------------------------------------------------------------------------


class DataTable:
    """x, y data for a scatter plot, with an optional least-squares curve fit."""

    def __init__(self, x, y) -> None:
        self.x = x
        self.y = y

    def fit_curve(self, f: Callable, p0, **fitting_parameters):
        """Fit ``y = f(x, *p)`` from ``p0`` with ``scipy.optimize.curve_fit``;
        returns ``(popt, pcov)``."""
        from scipy.optimize import curve_fit

        self._f = f
        self._popt, self._pcov = curve_fit(f, self.x, self.y, p0, **fitting_parameters)
        return self._popt, self._pcov

    @property
    def y_fit(self):
        """The fitted curve at ``x`` (after :meth:`fit_curve`)."""
        return self._f(self.x, *self._popt)


class Histogram:
    """Histogram of ``data`` with int(sqrt(n)) equal bins, computed on first use."""

    def __init__(self, data) -> None:
        self.data = data
        self.evaluated = False

    def evaluate(self) -> None:
        """Compute ``values``, ``bins`` (edges) and ``bin_width`` if not done yet."""
        if not self.evaluated:
            data = np.asarray(self.data, dtype=float).ravel()
            self.values, self.bins = np.histogram(data, bins=max(1, int(np.sqrt(data.size))))
            self.bin_width = self.bins[1] - self.bins[0]
            self.evaluated = True

    def __iter__(self):
        """Yield ``(left bin edge, count)`` per bar."""
        self.evaluate()
        return zip(self.bins[:-1], self.values, strict=True)


def isi_histogram(segment) -> Histogram:
    """:class:`Histogram` of all inter-spike intervals in a segment (in the trains' units)."""
    isis = [np.diff(np.asarray(st.magnitude, dtype=float)) for st in segment.spiketrains]
    return Histogram(np.concatenate(isis) if isis else np.empty(0))


def connection_plot(
    projection, positive: str = "O", zero: str = ".", empty: str = " ", spacer: str = ""
) -> str:
    """Text picture of a projection's weight matrix: one line per presynaptic cell.

    ``positive`` marks a connection with non-zero weight (of either sign, so rows stay
    aligned for inhibitory current weights), ``zero`` a zero-weight connection and
    ``empty`` no connection.
    """
    weights = np.asarray(projection.get("weight", format="array"), dtype=float)
    image = np.where(np.isnan(weights), empty, np.where(weights == 0, zero, positive))
    return "\n".join(spacer.join(row) for row in np.atleast_2d(image))
