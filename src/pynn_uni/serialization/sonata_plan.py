"""Running what a SONATA simulation config asks for: the run, the inputs, the reports, the
output.

Usage (as with PyNN)::

    plan = load_sonata_simulation_plan("simulation_config.json")
    plan.setup(sim)
    net = import_from_sonata("circuit_config.json", sim)
    plan.execute(net)      # inputs, recording, run(tstop), output/spikes.h5 and reports

Node sets: a name of a node population, ``{"population": ..., "node_id": [...], <attribute>:
value}`` (attributes are the node types' columns, kept as population annotations) or a list
of node-set names (their union).
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np

from pynn_uni.parameters import Sequence

from . import sonata_format as fmt
from .sonata_io import read_spikes, write_report, write_spikes


def load_sonata_simulation_plan(config_file):
    """A :class:`SimulationPlan` from a simulation config file."""
    config = fmt.load_config(config_file)
    allowed = ("run", "inputs", "output", "reports", "target_simulator", "node_sets_file",
               "conditions", "manifest")  # fmt: skip
    plan = SimulationPlan(**{k: v for k, v in config.items() if k in allowed},
                          **{k: v for k, v in config.items() if k not in allowed})  # fmt: skip
    return plan


class SimulationPlan:
    """What a SONATA simulation config asks for (PyNN's constructor arguments)."""

    def __init__(self, run, inputs=None, output=None, reports=None, target_simulator=None,
                 node_sets_file=None, conditions=None, manifest=None,
                 **additional_sections):  # fmt: skip
        self.run_config = run
        self.inputs = inputs or {}
        self.output = output or {}
        self.reports = reports or {}
        self.target_simulator = target_simulator
        self.node_sets_file = node_sets_file
        self.conditions = conditions or {}
        self.manifest = manifest or {}
        self.additional_sections = additional_sections
        self.node_sets = {}
        if node_sets_file and os.path.exists(node_sets_file):
            with open(node_sets_file) as fp:
                self.node_sets = json.load(fp)
        extra = additional_sections.get("node_sets")
        if isinstance(extra, dict):
            self.node_sets.update(extra)
        self.sim = None

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def setup(self, sim, **extra):
        """``sim.setup()`` with the config's time step (and ``extra`` keywords)."""
        self.sim = sim
        sim.setup(timestep=self.run_config["dt"], **extra)

    # -- node sets --------------------------------------------------------------------------
    def _populations(self, net) -> dict[str, list]:
        """{node population name: [(Population, node ids of its cells)]}."""
        out: dict = {}
        for pop in sorted(net.populations, key=lambda p: int(p.first_id)):
            name = pop.annotations.get("sonata_population")
            if name is None:
                continue
            out.setdefault(name, []).append((pop, np.asarray(pop.annotations["sonata_node_ids"])))
        return out

    def resolve(self, node_set, net) -> list:
        """[(node population name, Population, mask over its cells)] of a node set."""
        pops = self._populations(net)
        if isinstance(node_set, list):
            return [t for name in node_set for t in self.resolve(name, net)]
        if isinstance(node_set, str):
            if node_set in self.node_sets:
                return self.resolve(self.node_sets[node_set], net)
            if node_set in pops:
                return [(node_set, p, np.ones(p.size, bool)) for p, _ in pops[node_set]]
            raise KeyError(f"node set {node_set!r} is not defined")
        rule = dict(node_set)
        names = [rule.pop("population")] if "population" in rule else list(pops)
        out = []
        for name in names:
            for pop, ids in pops[name]:
                mask = np.ones(pop.size, bool)
                for key, want in rule.items():
                    if key == "node_id":
                        mask &= np.isin(ids, np.asarray(want, dtype=np.int64))
                    else:
                        have = pop.annotations.get(key)
                        allowed = want if isinstance(want, list) else [want]
                        mask &= np.isin(np.asarray(have, dtype=object), allowed) if have is not \
                            None else False  # fmt: skip
                out.append((name, pop, mask))
        return out

    # -- inputs -----------------------------------------------------------------------------
    def _set_input_spikes(self, config, net):
        targets = self.resolve(config["node_set"], net)
        data = read_spikes(config["input_file"])
        for name, pop, mask in targets:
            ids, times = data.get(name, data.get("", (np.zeros(0, np.int64), np.zeros(0))))
            order = np.lexsort((times, ids))
            ids, times = ids[order], times[order]
            node_ids = np.asarray(pop.annotations["sonata_node_ids"])[mask]
            lo = np.searchsorted(ids, node_ids, side="left")
            hi = np.searchsorted(ids, node_ids, side="right")
            trains = [Sequence(times[a:b]) for a, b in zip(lo.tolist(), hi.tolist(),
                                                                     strict=True)]  # fmt: skip
            view = pop if mask.all() else pop[np.flatnonzero(mask)]
            view.set(spike_times=trains)

    def _set_input_currents(self, config, net):
        if "input_file" in config:
            raise NotImplementedError("current_clamp inputs from a file are not supported")
        for _name, pop, mask in self.resolve(config["node_set"], net):
            source = self.sim.DCSource(
                amplitude=float(config["amp"]),
                start=float(config.get("delay", 0.0)),
                stop=float(config.get("delay", 0.0)) + float(config["duration"]),
            )
            (pop if mask.all() else pop[np.flatnonzero(mask)]).inject(source)

    # -- running ----------------------------------------------------------------------------
    def execute(self, net):
        """Apply inputs, record spikes of every simulated node and the reports, run to
        ``tstop``, write the output folder."""
        if self.sim is None:
            raise RuntimeError("SimulationPlan.execute(): call setup(sim) first")
        for name, config in self.inputs.items():
            kind = config.get("input_type")
            if kind == "spikes":
                self._set_input_spikes(config, net)
            elif kind == "current_clamp":
                self._set_input_currents(config, net)
            else:
                raise NotImplementedError(
                    f"input {name!r}: input_type {kind!r} (only spikes and current_clamp)"
                )
        for pop in net.populations:
            if pop.celltype.injectable:
                pop.record("spikes")
        report_targets = {}
        for name, report in self.reports.items():
            if not report.get("enabled", True):
                continue
            targets = self.resolve(report["cells"], net)
            for _pop_name, pop, mask in targets:
                view = pop if mask.all() else pop[np.flatnonzero(mask)]
                view.record(report["variable_name"], sampling_interval=report.get("dt"))
            report_targets[name] = targets
        self.sim.run(float(self.run_config["tstop"]))
        self.write_output(net, report_targets)

    def write_output(self, net, report_targets=None):
        """Write ``output_dir/spikes_file`` and the report files."""
        out_dir = self.output.get("output_dir", "output")
        if self.run_config.get("overwrite_output_dir") and os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.makedirs(out_dir, exist_ok=True)
        h5py = fmt.require_h5py()
        spikes_file = self.output.get("spikes_file", "spikes.h5")
        sort = self.output.get("spikes_sort_order", "by_time")
        with h5py.File(os.path.join(out_dir, spikes_file), "w") as f:
            fmt.mark_file(f)
            for name, members in self._populations(net).items():
                ids, times = [], []
                for pop, node_ids in members:
                    if not pop.celltype.injectable:
                        continue
                    block = pop.get_data("spikes", clear=False)
                    for st in block.segments[-1].spiketrains:
                        t = st.rescale("ms").magnitude
                        times.append(t)
                        ids.append(np.full(t.size, node_ids[st.annotations["source_index"]]))
                if ids:
                    write_spikes(f, name, np.concatenate(ids), np.concatenate(times), sort)
        for name, targets in (report_targets or {}).items():
            report = self.reports[name]
            variable = report["variable_name"]
            columns: dict[str, list] = {}  # node population -> [(node ids, signal)]
            for pop_name, pop, mask in targets:
                view = pop if mask.all() else pop[np.flatnonzero(mask)]
                signals = view.get_data(variable, clear=False).segments[-1].filter(name=variable)
                if signals:
                    index = signals[0].array_annotations.get("channel_index")
                    node_ids = np.asarray(pop.annotations["sonata_node_ids"])[index]
                    columns.setdefault(pop_name, []).append((node_ids, signals[0]))
            path = os.path.join(out_dir, report.get("file_name", f"{name}.h5"))
            with h5py.File(path, "w") as f:
                fmt.mark_file(f)
                for pop_name, parts in columns.items():
                    sig = parts[0][1]
                    write_report(
                        f, pop_name, np.concatenate([ids for ids, _ in parts]),
                        np.hstack([s.magnitude for _, s in parts]),
                        float(sig.t_start.rescale("ms")), float(sig.sampling_period.rescale("ms")),
                        sig.units.dimensionality.string, variable,
                    )  # fmt: skip
