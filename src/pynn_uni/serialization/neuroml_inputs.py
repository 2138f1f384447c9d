"""Current sources as NeuroML2 inputs (the export side; :mod:`.neuroml_import` reads them).

``DCSource`` -> ``pulseGenerator``; ``StepCurrentSource`` -> ``compoundInput`` of pulses, the
last lasting "forever" (10^12 ms, pynn_uni's default ``stop``); ``ACSource`` ->
``compoundInput`` of a ``sineGenerator`` (NeuroML2's phase in radians, PyNN's in degrees)
and a pulse for its offset.  Amplitudes in nA, times in ms.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.errors import NotSupportedError

from .neuroml_models import FOREVER_MS


def write_sources(doc, nml_net, populations, groups, ids) -> None:
    """Each current source injected into exported cells: a pulseGenerator (DCSource) or a
    compoundInput (StepCurrentSource, ACSource), and one inputList per NeuroML2 population."""
    import neuroml

    if not populations:
        return
    for source in populations[0]._simulation.current_sources:
        name = type(source).__name__
        targets = source.__dict__.get("_targets")
        if targets is None:
            raise NotSupportedError(
                f"{name}: the cells it was injected into are not recorded by this version of "
                "pynn_uni, so it cannot be written to NeuroML2"
            )
        targets = [(p, idx) for p, idx in targets if p in groups]
        if not targets:
            continue
        comp_id = ids.new(f"{name}_{len(nml_net.input_lists)}")
        values = {k: getattr(v, "value", v) for k, v in source.get_parameters().items()}
        component, doc_list = _source_component(neuroml, name, comp_id, values)
        getattr(doc, doc_list).append(component)
        for pop, idx in targets:
            grp = groups[pop]
            idx = np.asarray(idx, dtype=np.int64)
            for k in np.unique(grp.group[idx]).tolist():
                cells = idx[grp.group[idx] == k]
                inputs = [
                    neuroml.Input(id=j, target=t, destination="synapses")
                    for j, t in enumerate(grp.cell_paths(cells))
                ]
                nml_net.input_lists.append(
                    neuroml.InputList(
                        id=ids.new(f"{comp_id}_{grp.pop_ids[k]}"),
                        populations=grp.pop_ids[k],
                        component=comp_id,
                        input=inputs,
                    )
                )


def _source_component(neuroml, name: str, comp_id: str, v: dict):
    def pulse(pid, start, stop, amplitude):
        return neuroml.PulseGenerator(
            id=pid,
            delay=f"{start!r}ms",
            duration=f"{stop - start!r}ms",
            amplitude=f"{amplitude!r}nA",
        )

    if name == "DCSource":
        return pulse(comp_id, v["start"], v["stop"], v["amplitude"]), "pulse_generators"
    if name == "StepCurrentSource":
        times = [float(t) for t in np.asarray(getattr(v["times"], "value", v["times"]))]
        amps = [float(a) for a in np.asarray(getattr(v["amplitudes"], "value", v["amplitudes"]))]
        ends = [*times[1:], FOREVER_MS]
        pulses = [
            pulse(f"{comp_id}_{i}", t, e, a)
            for i, (t, e, a) in enumerate(zip(times, ends, amps, strict=True))
        ]
        return neuroml.CompoundInput(id=comp_id, pulse_generators=pulses), "compound_inputs"
    if name == "ACSource":
        start, stop = v["start"], v["stop"]
        sine = neuroml.SineGenerator(
            id=f"{comp_id}_sine",
            delay=f"{start!r}ms",
            duration=f"{stop - start!r}ms",
            amplitude=f"{v['amplitude']!r}nA",
            period=f"{1000.0 / v['frequency']!r}ms",
            phase=repr(float(np.deg2rad(v["phase"]))),
        )
        offset = pulse(f"{comp_id}_offset", start, stop, v["offset"])
        compound = neuroml.CompoundInput(
            id=comp_id, pulse_generators=[offset], sine_generators=[sine]
        )
        return compound, "compound_inputs"
    raise NotSupportedError(f"{name} cannot be written to NeuroML2 (no core input type for it)")
