"""SONATA spike and report files, and :class:`SonataIO`, the neo IO that reads and writes them.

Spike files use the current layout, ``/spikes/<population>/{timestamps, node_ids}`` with a
``sorting`` attribute (an HDF5 enum none/by_id/by_time) and ``units`` on the times.  Report
files hold ``/report/<population>/data`` (time x element, float32, with ``units``) and
``mapping/{node_ids, index_pointers, element_ids, time}`` (one element, the soma, per cell).
"""

from __future__ import annotations

import os

import numpy as np

from . import sonata_format as fmt


def _sorting_type(h5py):
    return h5py.enum_dtype(fmt.SORTING, basetype="u1")


def write_spikes(h5file, population: str, node_ids, timestamps, sort_order="by_time") -> None:
    """Add one population's spikes to an open HDF5 file, sorted as ``sort_order`` says."""
    import h5py

    node_ids = np.asarray(node_ids, dtype=fmt.ID)
    timestamps = np.asarray(timestamps, dtype=np.float64)
    sort_order = {"time": "by_time", "id": "by_id", None: "none"}.get(sort_order, sort_order)
    if sort_order not in fmt.SORTING:
        raise ValueError(f"spikes sort order must be one of {sorted(fmt.SORTING)}: {sort_order!r}")
    if sort_order == "by_time":
        order = np.lexsort((node_ids, timestamps))
    elif sort_order == "by_id":
        order = np.lexsort((timestamps, node_ids))
    else:
        order = slice(None)
    if "magic" not in h5file.attrs:
        fmt.mark_file(h5file)
    group = h5file.require_group("spikes").create_group(population)
    group.attrs.create("sorting", fmt.SORTING[sort_order], dtype=_sorting_type(h5py))
    fmt.dataset(group, "timestamps", timestamps[order], np.float64, "ms")
    group.create_dataset("node_ids", data=node_ids[order])


def read_spikes(path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{population: (node_ids, timestamps in ms)}`` of a spike file; the old layout
    (``/spikes/{gids, timestamps}``, no population) comes back under the name ``''``."""
    h5py = fmt.require_h5py()
    out = {}
    with h5py.File(path, "r") as f:
        fmt.check_file(f, path)
        spikes = f["spikes"]
        groups = {k: g for k, g in spikes.items() if isinstance(g, h5py.Group)}
        if not groups:
            groups = {"": spikes}
        for name, g in groups.items():
            ids = g["node_ids"] if "node_ids" in g else g["gids"]
            times = g["timestamps"]
            factor = _to_ms(times.attrs.get("units", "ms"))
            out[name] = (ids[()].astype(np.int64), times[()].astype(np.float64) * factor)
    return out


def _to_ms(units) -> float:
    units = units.decode() if isinstance(units, bytes) else str(units)
    return {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "us": 1e-3}.get(units.strip(), 1.0)


def write_report(h5file, population, node_ids, data, t_start, dt, units, variable) -> None:
    """Add one population's signal (time x cells) to an open report file."""
    data = np.asarray(data, dtype=np.float32)
    n_cells = data.shape[1] if data.ndim == 2 else 0
    if "magic" not in h5file.attrs:
        fmt.mark_file(h5file)
    group = h5file.require_group("report").create_group(population)
    ds = group.create_dataset("data", data=data)
    ds.attrs["units"] = units
    ds.attrs["variable_name"] = variable
    mapping = group.create_group("mapping")
    mapping.create_dataset("node_ids", data=np.asarray(node_ids, dtype=fmt.ID))
    mapping.create_dataset("index_pointers", data=np.arange(n_cells + 1, dtype=fmt.ID))
    mapping.create_dataset("element_ids", data=np.zeros(n_cells, dtype=np.uint32))
    t_stop = t_start + data.shape[0] * dt
    fmt.dataset(mapping, "time", [t_start, t_stop, dt], np.float64, "ms")


def read_report(path) -> dict[str, dict]:
    """``{population: {node_ids, data, t_start, dt, units, variable}}`` of a report file
    (one column per cell: the first element of each cell is taken)."""
    h5py = fmt.require_h5py()
    out = {}
    with h5py.File(path, "r") as f:
        fmt.check_file(f, path)
        for name, g in f["report"].items():
            mapping = g["mapping"]
            pointers = mapping["index_pointers" if "index_pointers" in mapping else "index_pointer"]
            columns = pointers[()][:-1].astype(np.int64)
            t_start, _, dt = (float(v) for v in mapping["time"][()])
            units = g["data"].attrs.get("units", "mV")
            variable = g["data"].attrs.get("variable_name", os.path.splitext(
                os.path.basename(path))[0])  # fmt: skip
            out[name] = {
                "node_ids": mapping["node_ids"][()].astype(np.int64),
                "data": g["data"][()][:, columns],
                "t_start": t_start,
                "dt": dt,
                "units": units.decode() if isinstance(units, bytes) else str(units),
                "variable": variable.decode() if isinstance(variable, bytes) else str(variable),
            }
    return out


def _block_name(label) -> str:
    return fmt.population_name(label, set())


try:  # neo is a core dependency; keep the import failure readable anyway
    from neo.io.baseio import BaseIO
except ImportError:  # pragma: no cover
    BaseIO = object


class SonataIO(BaseIO):
    """Neo IO for a SONATA output folder: ``spikes_file`` plus one report file per entry of
    ``report_config`` (a simulation config's ``reports``), or one file per variable.

    ``SonataIO(base_dir, spikes_file='spikes.h5', spikes_sort_order=None, report_config=None,
    node_sets=None)``, as in PyNN; ``node_sets`` maps a node-set name to the population
    names it covers.  ``write(blocks)`` takes what ``Population/Assembly/Network.write_data``
    hands over; ``read()`` returns one Block whose segment holds a SpikeTrain per cell that
    spiked (annotated ``source_population``, ``source_index``) and an AnalogSignal per
    population and variable reported.
    """

    is_readable = True
    is_writable = True
    supported_objects = []
    readable_objects = []
    writeable_objects = []
    name = "SONATA"
    extensions = ["h5"]
    mode = "dir"

    def __init__(self, base_dir, spikes_file="spikes.h5", spikes_sort_order=None,
                 report_config=None, node_sets=None):  # fmt: skip
        fmt.require_h5py()
        import neo

        self.supported_objects = [neo.Block, neo.Segment, neo.SpikeTrain, neo.AnalogSignal]
        self.readable_objects = self.writeable_objects = [neo.Block]
        self.base_dir = os.fspath(base_dir)
        self.spikes_file = spikes_file
        self.spikes_sort_order = spikes_sort_order or "by_time"
        self.report_config = report_config or {}
        self.node_sets = node_sets or {}

    @property
    def spike_file(self):  # PyNN's attribute name
        return self.spikes_file

    def _path(self, name):
        return name if os.path.isabs(name) else os.path.join(self.base_dir, name)

    # -- writing ----------------------------------------------------------------------------
    def write(self, blocks):
        """Write spikes and signals of ``blocks`` (a Block or a list of Blocks)."""
        import h5py

        if not isinstance(blocks, list | tuple):
            blocks = [blocks]
        os.makedirs(self.base_dir, exist_ok=True)
        spikes: dict[str, list] = {}
        signals: dict[tuple[str, str], list] = {}
        for block in blocks:
            for segment in block.segments:
                for st in segment.spiketrains:
                    pop = _block_name(st.annotations.get("source_population", block.name or ""))
                    spikes.setdefault(pop, []).append(st)
                for sig in segment.analogsignals:
                    pop = _block_name(sig.annotations.get("source_population", block.name or ""))
                    signals.setdefault((pop, sig.name), []).append(sig)
        with h5py.File(self._path(self.spikes_file), "w") as f:
            fmt.mark_file(f)
            for pop, trains in spikes.items():
                counts = [len(st) for st in trains]
                times = np.concatenate([st.rescale("ms").magnitude for st in trains]) if trains \
                    else np.zeros(0)  # fmt: skip
                index = [int(st.annotations.get("source_index", k)) for k, st in
                         enumerate(trains)]  # fmt: skip
                ids = np.repeat(np.asarray(index, dtype=fmt.ID), counts)
                write_spikes(f, pop, ids, times, self.spikes_sort_order)
        for file_name, wanted in self._report_files(signals):
            with h5py.File(self._path(file_name), "w") as f:
                fmt.mark_file(f)
                for (pop, _variable), sigs in wanted:
                    sig = sigs[-1]  # the last segment: a report covers one run
                    index = sig.array_annotations.get("channel_index", np.arange(sig.shape[1]))
                    write_report(
                        f, pop, index, sig.magnitude,
                        float(sig.t_start.rescale("ms")), float(sig.sampling_period.rescale("ms")),
                        sig.units.dimensionality.string, sig.name,
                    )  # fmt: skip

    def _report_files(self, signals):
        """(file name, [((population, variable), signals)]) per report file to write."""
        if not self.report_config:
            by_variable: dict = {}
            for key, sigs in signals.items():
                by_variable.setdefault(key[1], []).append((key, sigs))
            return [(f"{v}.h5", items) for v, items in by_variable.items()]
        files = []
        for name, report in self.report_config.items():
            variable = report.get("variable_name")
            pops = self._populations_of(report.get("cells"))
            items = [(k, s) for k, s in signals.items() if k[1] == variable and
                     (pops is None or k[0] in pops)]  # fmt: skip
            files.append((report.get("file_name", f"{name}.h5"), items))
        return files

    def _populations_of(self, node_set):
        if node_set is None:
            return None
        members = self.node_sets.get(node_set)
        if members is None:
            return {node_set}
        return set(members)

    # -- reading ----------------------------------------------------------------------------
    def read(self, lazy=False):
        """One Block of one Segment with every spike train and reported signal."""
        import neo
        import quantities as pq

        block = neo.Block(file_origin=self.base_dir)
        segment = neo.Segment(file_origin=self.base_dir)
        path = self._path(self.spikes_file)
        t_stop = 0.0
        if os.path.exists(path):
            data = read_spikes(path)
            t_stop = max((float(t.max()) for _, t in data.values() if t.size), default=0.0)
            for pop, (ids, times) in data.items():
                order = np.argsort(ids, kind="stable")
                ids, times = ids[order], times[order]
                cells, starts = np.unique(ids, return_index=True)
                for cell, part in zip(cells.tolist(), np.split(times, starts[1:]), strict=True):
                    segment.spiketrains.append(neo.SpikeTrain(
                        np.sort(part), units="ms", t_start=0.0 * pq.ms,
                        t_stop=(t_stop + 1.0) * pq.ms, source_population=pop,
                        source_index=cell,
                    ))  # fmt: skip
        for file_name in self._report_names():
            for pop, rep in read_report(self._path(file_name)).items():
                segment.analogsignals.append(neo.AnalogSignal(
                    rep["data"], units=rep["units"], t_start=rep["t_start"] * pq.ms,
                    sampling_period=rep["dt"] * pq.ms, name=rep["variable"],
                    source_population=pop,
                    array_annotations={"channel_index": rep["node_ids"]},
                ))  # fmt: skip
        block.segments.append(segment)
        return [block]

    def _report_names(self) -> list[str]:
        if self.report_config:
            return [
                r.get("file_name", f"{name}.h5") for name, r in self.report_config.items()
                if os.path.exists(self._path(r.get("file_name", f"{name}.h5")))
            ]  # fmt: skip
        names = []
        if os.path.isdir(self.base_dir):
            h5py = fmt.require_h5py()
            for entry in sorted(os.listdir(self.base_dir)):
                if entry.endswith(".h5") and entry != os.path.basename(self.spikes_file):
                    with h5py.File(self._path(entry), "r") as f:
                        if "report" in f:
                            names.append(entry)
        return names

    def read_block(self, lazy=False, **kwargs):
        return self.read(lazy=lazy)[0]

    def write_block(self, block, **kwargs):
        self.write([block])
