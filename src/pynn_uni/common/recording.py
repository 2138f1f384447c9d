"""Recording: columnar storage of spikes and sampled signals, neo built only on request.

One :class:`Recorder` per Population.  Data stay as flat numpy arrays (cell index,
time, value) per segment; ``get_block`` turns them into a ``neo.Block`` when asked.
Sampled signals include both ends, ``T/dt + 1`` samples, the first being the initial
value at the start of the segment (PyNN's convention).
"""

from __future__ import annotations

import datetime

import numpy as np

from pynn_uni import errors
from pynn_uni.common import provenance, validation
from pynn_uni.common.mpi import num_processes
from pynn_uni.common.units import pq_units


class _Segment:
    """Recorded data of one run between resets, columnar."""

    def __init__(self, t_start: float, index: int):
        self.t_start = t_start
        self.t_stop = t_start
        self.index = index
        self.annotations: dict = {}
        self.spike_idx: list[np.ndarray] = []
        self.spike_times: list[np.ndarray] = []
        self.signals: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.recorded: dict[str, np.ndarray] | None = None  # masks when ended (None: live)

    def spikes(self):
        if not self.spike_idx:
            return np.empty(0, np.int64), np.empty(0)
        if len(self.spike_idx) > 1:
            self.spike_idx = [np.concatenate(self.spike_idx)]
            self.spike_times = [np.concatenate(self.spike_times)]
        return self.spike_idx[0], self.spike_times[0]


class Recorder:
    """What a population records, and the data recorded so far."""

    def __init__(self, population, simulation):
        self.population = population
        self.simulation = simulation
        self.recorded: dict[str, np.ndarray] = {}  # variable -> bool mask over cells
        self.sampling_interval: float | None = None
        self.segments: list[_Segment] = []
        self.current = _Segment(simulation.t, simulation.segment_counter)
        self._start_times: dict[str, float] = {}
        self.frozen = False  # the simulation ended: the data are all here, the backend gone
        simulation.recorders.append(self)

    # -- configuration -----------------------------------------------------
    def record(self, variables, idx: np.ndarray, sampling_interval=None) -> None:
        pop = self.population
        backend = self.simulation.backend
        if variables is None:
            self._collect()  # what the backend holds so far must not resurface later
            for variable in list(self.recorded):
                backend.stop_recording(pop._handle, variable)
            self.recorded.clear()
            return
        call = f"{pop.label!r}.record()"
        variables = validation.variable_names(call, variables)
        for variable in variables:
            if not isinstance(variable, str) or not pop.can_record(variable):
                # can_record: PyNN scripts may override it per population
                raise errors.RecordingError(variable, pop.celltype, call)
        # neo is loaded lazily (a script that never records does without it) but here,
        # where Neo output is asked for, not inside get_data(): its one-time import
        # (~0.06 s) is no part of the data retrieval (PyNN imports it with pyNN itself)
        import neo  # noqa: F401, PLC0415

        dt = self.simulation.dt
        analog = [v for v in variables if v != "spikes"]
        if sampling_interval is not None:
            sampling_interval = validation.sampling_interval(call, sampling_interval, dt)
            if (
                self.sampling_interval is not None
                and abs(sampling_interval - self.sampling_interval) > 1e-9 * dt
                and any(v != "spikes" for v in self.recorded)
            ):
                raise errors.InvalidParameterValueError(
                    f"{pop.label!r} already records with sampling_interval "
                    f"{self.sampling_interval} ms, so cannot use {sampling_interval} ms too: "
                    "one interval per population (record(None) first to change it)"
                )
            self.sampling_interval = sampling_interval
        elif self.sampling_interval is None and analog:
            self.sampling_interval = dt
        for variable in variables:
            mask = self.recorded.get(variable, np.zeros(pop.size, dtype=bool))
            new = np.setdiff1d(idx, np.nonzero(mask)[0])
            if new.size:  # the backend may refuse (readout limits): mark only afterwards
                backend.record(pop._handle, variable, new, self.sampling_interval or dt)
                mask[new] = True
                self.recorded[variable] = mask
                self._start_times.setdefault(variable, self.simulation.t)

    # -- segments ------------------------------------------------------------
    def freeze(self) -> None:
        """Collect the last data before the simulation ends; later reads need no backend."""
        self._collect()
        self.frozen = True

    def _collect(self) -> None:
        """Move new data from the backend into the current segment."""
        if self.frozen:
            return
        pop = self.population
        backend = self.simulation.backend
        seg = self.current
        seg.t_stop = self.simulation.t
        for variable in self.recorded:
            if variable == "spikes":
                idx, times = backend.spikes(pop._handle)
                if idx.size:
                    seg.spike_idx.append(idx)
                    seg.spike_times.append(times)
            else:
                times, values, columns = backend.signals(pop._handle, variable)
                if times.size:
                    seg.signals.setdefault(variable, []).append((times, values, columns))

    def end_segment(self, annotations: dict) -> None:
        """Keep the current segment, unless no time passed in it (PyNN: two resets in a row,
        a reset before any run, or right after ``get_data(clear=True)``, add no segment)."""
        self._collect()
        if self._ran():
            self.current.annotations.update(annotations)
            self.current.recorded = {k: m.copy() for k, m in self.recorded.items()}
            self.segments.append(self.current)

    def _ran(self) -> bool:
        return self.simulation.t > self.current.t_start + 1e-9

    def start_segment(self) -> None:
        self.current = _Segment(self.simulation.t, self.simulation.segment_counter)
        for variable in self._start_times:
            self._start_times[variable] = self.simulation.t

    def clear(self) -> None:
        """Forget the data up to now; keep what a backend handed over early (NEST runs one
        min_delay ahead), which belongs to the time after now."""
        self._collect()
        old, t = self.current, self.simulation.t + 1e-9
        self.segments = []
        self.current = _Segment(self.simulation.t, self.simulation.segment_counter)
        cells, times = old.spikes()
        if (times > t).any():
            late = times > t
            self.current.spike_idx, self.current.spike_times = [cells[late]], [times[late]]
        for variable, chunks in old.signals.items():
            late = [(ts[ts > t], v[ts > t], c) for ts, v, c in chunks if (ts > t).any()]
            if late:
                self.current.signals[variable] = late
        for variable in self._start_times:
            self._start_times[variable] = self.simulation.t

    # -- queries ----------------------------------------------------------------
    def spike_counts(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices, spike counts) of the cells among ``idx`` whose spikes are recorded."""
        self._collect()
        mask = self.recorded.get("spikes")
        idx = idx[mask[idx]] if mask is not None else idx[:0]
        cells, times = self.current.spikes()
        cells = cells[times <= self.simulation.t + 1e-9]
        counts = np.bincount(cells, minlength=self.population.size)
        return idx, counts[idx]

    def check_variables(self, variables, call: str) -> list[str]:
        """The variables ``call`` asks for ('all': those recorded).  A name that no model
        records (a typo) is refused; one that is not recorded here yields no data, as in
        PyNN (an Assembly of several cell types asks each member for every variable)."""
        if isinstance(variables, str) and variables == "all":
            return list(self.recorded)
        pop = self.population
        names = validation.variable_names(call, variables)
        for name in names:
            known = isinstance(name, str) and (
                name in self.recorded
                or name in self.simulation.known_variables
                or pop.can_record(name)
            )
            if not known:
                raise errors.RecordingError(name, pop.celltype, call)
        return names

    def get_block(self, variables, idx: np.ndarray, clear=False, group=None):
        import neo

        pop = self.population
        group = group or pop
        variables = self.check_variables(variables, f"{group.label!r}.get_data()")
        self._collect()
        block = neo.Block(
            name=group.label, description=_describe(group), rec_datetime=datetime.datetime.now()
        )
        block.annotate(**provenance.block_annotations(self.simulation))
        block.annotate(
            size=group.size,
            first_index=0,
            last_index=group.size,
            first_id=int(group._ids[0]) if group.size else None,
            last_id=int(group._ids[-1]) if group.size else None,
            label=group.label,
            simulator=self.simulation.backend.name,
            dt=self.simulation.dt,
            mpi_processes=num_processes(),
            **pop.annotations,
        )
        # the current segment counts once time passed in it (or when it is the only one)
        current = [self.current] if self._ran() or not self.segments else []
        for seg in [*self.segments, *current]:
            block.segments.append(self._neo_segment(seg, variables, idx))
        if clear:
            self.clear()
        return block

    def _neo_segment(self, seg: _Segment, variables, idx: np.ndarray):
        import neo
        import quantities as pq

        pop = self.population
        t_stop = seg.t_stop if seg is not self.current else self.simulation.t
        recorded = self.recorded if seg.recorded is None else seg.recorded  # as in that segment
        segment = neo.Segment(name=f"segment{seg.index:03d}", rec_datetime=datetime.datetime.now())
        segment.annotate(**seg.annotations)
        if "spikes" in variables and "spikes" in recorded:
            mask = recorded["spikes"]
            chosen = idx[mask[idx]]
            cells, times = seg.spikes()
            keep = times <= t_stop + 1e-9
            order = np.argsort(cells[keep], kind="stable")
            cells, times = cells[keep][order], times[keep][order]
            bounds = np.searchsorted(cells, np.stack([chosen, chosen + 1]))
            t_start_q = seg.t_start * pq.ms  # quantities made once: unit parsing dominates
            t_stop_q = max(t_stop, seg.t_start) * pq.ms
            # one SpikeTrain of every spike, cut into one slice per cell: neo checks units
            # and range once, not per cell (10x faster); slices do not overlap, and each
            # gets its own bounds and annotations.  The plain ndarray slice skips what
            # neo's __getitem__ adds for a train without waveforms or array annotations
            # (a deep copy of the empty ones): a third of the time per cell
            every = neo.SpikeTrain(times, units=pq.ms, t_start=t_start_q, t_stop=t_stop_q)
            cut = np.ndarray.__getitem__
            trains = []
            for i, lo, hi in zip(chosen.tolist(), bounds[0].tolist(), bounds[1].tolist(),
                                 strict=True):  # fmt: skip
                st = cut(every, slice(lo, hi))
                st.t_start, st.t_stop = t_start_q.copy(), t_stop_q.copy()
                st.annotations = {"source_population": pop.label, "source_index": i,
                                  "channel_id": int(pop._ids[i])}  # fmt: skip
                trains.append(st)
            segment.spiketrains = trains
        for variable in variables:
            if variable == "spikes" or variable not in recorded:
                continue
            mask = recorded[variable]
            chosen = idx[mask[idx]]
            if chosen.size == 0:
                continue
            times, values = self._signal_matrix(seg, variable, chosen)
            signal = neo.AnalogSignal(
                values,
                units=pq_units(pop.celltype.units.get(variable, "dimensionless")),
                sampling_period=self.sampling_interval * pq.ms,
                t_start=times[0] * pq.ms if times.size else seg.t_start * pq.ms,
                name=variable,
                source_population=pop.label,
                channel_ids=pop._ids[chosen].copy(),
                array_annotations={"channel_index": chosen.copy()},
            )
            segment.analogsignals.append(signal)
        return segment

    def _signal_matrix(self, seg: _Segment, variable: str, chosen: np.ndarray):
        """Samples (t_start .. t_stop inclusive) x chosen cells, the first row the initial value."""
        pop = self.population
        parts = seg.signals.get(variable, [])
        interval = self.sampling_interval
        n = int(round((seg.t_stop - seg.t_start) / interval)) + 1
        times = seg.t_start + interval * np.arange(n)
        values = np.full((n, chosen.size), np.nan)
        initial = pop._initial.get(variable)
        if initial is not None:
            values[0] = np.broadcast_to(initial, (pop.size,))[chosen]
        col_of = np.full(pop.size, -1)
        col_of[chosen] = np.arange(chosen.size)
        for t, v, columns in parts:
            rows = np.rint((t - seg.t_start) / interval).astype(np.int64)
            ok = (rows >= 0) & (rows < n)
            cols = col_of[columns]
            keep = cols >= 0
            values[np.ix_(rows[ok], cols[keep])] = v[np.ix_(ok, keep)]
        if initial is None and n > 1:  # no initial value and none recorded at t_start
            values[0] = np.where(np.isnan(values[0]), values[1], values[0])
        return times, values


def _describe(group) -> str:
    try:
        return group.describe()
    except Exception:  # description must never break data retrieval
        return group.label


_PROVENANCE_KEYS = (
    "pynn_uni_version",
    "backend",
    "simulator_version",
    "seeds",
    "build_time",
    "run_time",
    "host",
    "network",
    "provenance",
)


def merge_blocks(blocks, label: str, offsets):
    """Merge member blocks of an Assembly segment by segment."""
    import neo

    merged = neo.Block(name=label, rec_datetime=datetime.datetime.now())
    if not blocks:
        return merged
    merged.annotate(
        **{
            k: v
            for k, v in blocks[0].annotations.items()
            if k in ("simulator", "dt", "mpi_processes", *_PROVENANCE_KEYS)
        }
    )
    merged.annotate(size=int(offsets[-1]), label=label)
    for segs in zip(*[b.segments for b in blocks], strict=False):
        seg = neo.Segment(name=segs[0].name)
        trains, signals = [], {}
        for m, s in enumerate(segs):
            trains.extend(s.spiketrains)
            for sig in s.analogsignals:
                signals.setdefault(sig.name, []).append((m, sig))
        seg.spiketrains = trains
        for name, parts in signals.items():
            if len({p.shape[0] for _, p in parts}) == 1:
                data = np.hstack([p.magnitude for _, p in parts])
                sig0 = parts[0][1]
                channel_index = np.concatenate(
                    [p.array_annotations["channel_index"] + offsets[m] for m, p in parts]
                )
                sig = neo.AnalogSignal(
                    data,
                    units=sig0.units,
                    sampling_period=sig0.sampling_period,
                    t_start=sig0.t_start,
                    name=name,
                    channel_ids=np.concatenate([p.annotations["channel_ids"] for _, p in parts]),
                    array_annotations={"channel_index": channel_index},
                )
                seg.analogsignals.append(sig)
            else:
                seg.analogsignals.extend(p for _, p in parts)
        merged.segments.append(seg)
    return merged
