"""The Markdown report of ``pynn-uni compare``: the verdict table, what produced each run
(from its provenance), and figures (raster, firing-rate and CV histograms per simulator)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pynn_uni.analysis.compare import Comparison, all_agree, format_table, per_pair_alpha
from pynn_uni.analysis.runs import Run
from pynn_uni.analysis.statistics import cv_isi, firing_rates
from pynn_uni.analysis.verdict import DEFAULT_ALPHA, smallest_p_value


def _figures(runs: Mapping[str, Sequence[Run]], directory: Path) -> list[tuple[str, str]]:
    """One PNG per population (raster of each simulator's first run, rate and CV
    histograms pooled over seeds, and, where v was recorded, the first cells' membrane
    traces of each simulator's first run overlaid); returns (population, file name) pairs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(runs)
    populations = sorted({p for rs in runs.values() for r in rs for p in r.spikes})
    made = []
    for pop in populations:
        traces = {n: runs[n][0].traces[pop] for n in names if runs[n] and pop in runs[n][0].traces}
        panels = len(names) + 2 + bool(traces)
        fig, axes = plt.subplots(1, panels, figsize=(4 * panels, 3.2), squeeze=False)
        axes = axes[0]
        if traces:
            _overlay(axes[-1], traces)
            axes = axes[:-1]
        for ax, name in zip(axes, names, strict=False):
            s = runs[name][0].spikes.get(pop) if runs[name] else None
            if s is not None:
                ax.plot(s.times, s.cells, ".", markersize=1)
                ax.set_xlim(s.t_start, s.t_stop)
            ax.set_title(f"{name} (seed {runs[name][0].seed})" if runs[name] else name)
            ax.set_xlabel("time (ms)")
            ax.set_ylabel("cell index")
        for ax, func, label in (
            (axes[-2], firing_rates, "firing rate (Hz)"),
            (axes[-1], cv_isi, "CV of ISI"),
        ):
            pooled = {
                n: np.concatenate([func(r.spikes[pop]) for r in runs[n] if pop in r.spikes] or [[]])
                for n in names
            }
            finite = np.concatenate([v[np.isfinite(v)] for v in pooled.values()])
            bins = np.histogram_bin_edges(finite, bins=30) if finite.size else 10
            for n, v in pooled.items():
                if np.isfinite(v).any():  # a density of nothing is undefined
                    ax.hist(v[np.isfinite(v)], bins=bins, histtype="step", density=True, label=n)
            ax.set_xlabel(label)
            ax.set_ylabel("density")
            if finite.size:
                ax.legend(fontsize="small")
        fig.suptitle(pop)
        fig.tight_layout()
        fname = f"{''.join(c if c.isalnum() else '_' for c in pop)}.png"
        fig.savefig(directory / fname, dpi=80)
        plt.close(fig)
        made.append((pop, fname))
    return made


def _overlay(ax, traces: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Membrane traces of every simulator on one axis: one colour per simulator."""
    for k, (name, (times, values)) in enumerate(traces.items()):
        for j, v in enumerate(values):
            ax.plot(times, v, color=f"C{k}", lw=0.7, label=name if j == 0 else None)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane potential (mV)")
    ax.legend(fontsize="small")


def write_report(
    path: str | Path,
    script: str,
    runs: Mapping[str, Sequence[Run]],
    rows: Sequence[Comparison],
    figures: bool = True,
    alpha: float = DEFAULT_ALPHA,
) -> Path:
    """Write the Markdown report to ``path`` (figures beside it); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    overall = all_agree(rows)
    n_seeds = min(len(r) for r in runs.values())
    word = {True: "AGREE", False: "DISAGREE", None: "UNDETERMINED"}[overall]
    metric = rows[0].metric if rows else "mean"
    per_pair = per_pair_alpha(alpha, len(runs))
    lines = [
        f"# pynn-uni compare: {Path(script).name}",
        "",
        f"**Verdict: the simulators {word}** ({', '.join(runs)}; {n_seeds} seeds each, "
        f"a different seed for every run).",
        "",
        f"Rule (see docs/validation.md): *distance* is the mean `{metric}` distance between a "
        "run of the reference and a run of the other simulator, *spread* the mean distance "
        "between two runs of the same simulator.  *p* is the chance, if the simulators were "
        "equivalent, that relabelling the runs at random makes some line stand out at least "
        "this much (permutation test, adjusted for the number of lines).  A line disagrees "
        f"when p <= {per_pair:.3g}; if the simulators are equivalent, a false 'disagree' "
        f"anywhere in this table has probability at most {alpha:g}.  With {n_seeds} seeds "
        f"p cannot go below {smallest_p_value(n_seeds, n_seeds):.2g}.",
        "",
        format_table(rows),
        "",
        "## Runs",
        "",
        "| simulator | seed | version | host | build (s) | run (s) | data |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rs in runs.items():
        for r in rs:
            p = r.provenance
            t = p.get("timings", {})
            lines.append(
                f"| {name} | {r.seed} | {p.get('simulator_version')} "
                f"| {p.get('host')} | {t.get('build', float('nan')):.3f} "
                f"| {t.get('run', float('nan')):.3f} | {r.directory} |"
            )
    if figures:
        lines += ["", "## Figures", ""]
        for pop, fname in _figures(runs, path.parent):
            lines += [f"### {pop}", "", f"![{pop}]({fname})", ""]
    path.write_text("\n".join(lines) + "\n")
    return path
