"""Connection-creation and import-time overhead of pynn_uni against single PyNEST calls.

Cases (each measured in a fresh process, alternating pynn_uni / nest, median reported):

* ``fixed_probability``: 2000 x 2000 cells, p = 0.1, scalar weight 0.5 nA, delay 1 ms:
  ``Projection(..., FixedProbabilityConnector(0.1))`` vs one ``nest.Connect`` with
  ``pairwise_bernoulli``;
* ``all_to_all``: 1000 x 1000 cells, weights ~ N(0.5, 0.05) nA: ``AllToAllConnector`` with
  a ``RandomDistribution`` vs one ``nest.Connect`` with ``all_to_all`` and
  ``nest.random.normal``.

``connect_s`` times the connect call alone; ``first_run_s`` times the first 0.1 ms run,
where NEST finishes building its connection infrastructure (so work a backend defers to
``run()`` is counted too).  Import: wall time of ``python -c "import nest"`` vs
``python -c "import nest, pynn_uni.nest"``, median of 5 each.  One JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import _bench

CASES = {
    "fixed_probability": {"n": 2000, "p": 0.1},
    "all_to_all": {"n": 1000},
}
WEIGHT, SIGMA, DELAY = 0.5, 0.05, 1.0  # nA, nA, ms
NA_TO_PA = 1000.0


def _worker_nest(case: str, seed: int) -> dict:
    import nest

    clock = _bench.Clock()
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": seed})
    n = CASES[case]["n"]
    pre, post = nest.Create("iaf_psc_exp", n), nest.Create("iaf_psc_exp", n)
    if case == "fixed_probability":
        rule = {"rule": "pairwise_bernoulli", "p": CASES[case]["p"]}
        weight = WEIGHT * NA_TO_PA
    else:
        rule = "all_to_all"
        weight = nest.random.normal(mean=WEIGHT * NA_TO_PA, std=SIGMA * NA_TO_PA)
    with clock("connect"):
        nest.Connect(
            pre, post, rule, {"synapse_model": "static_synapse", "weight": weight, "delay": DELAY}
        )
    with clock("first_run"):
        nest.Simulate(0.1)
    return _result(case, "nest", clock, nest)


def _worker_pynn_uni(case: str, seed: int) -> dict:
    import pynn_uni.nest as sim
    from pynn_uni.random import NumpyRNG, RandomDistribution

    clock = _bench.Clock()
    sim.setup(timestep=0.1, rng_seed=seed)
    rng = NumpyRNG(seed=seed)
    n = CASES[case]["n"]
    pre, post = sim.Population(n, sim.IF_curr_exp()), sim.Population(n, sim.IF_curr_exp())
    if case == "fixed_probability":
        connector = sim.FixedProbabilityConnector(CASES[case]["p"], rng=rng)
        weight = WEIGHT
    else:
        connector = sim.AllToAllConnector()
        weight = RandomDistribution("normal", mu=WEIGHT, sigma=SIGMA, rng=rng)
    with clock("connect"):
        sim.Projection(
            pre,
            post,
            connector,
            sim.StaticSynapse(weight=weight, delay=DELAY),
            receptor_type="excitatory",
        )
    with clock("first_run"):
        sim.run(0.1)
    import nest

    result = _result(case, "pynn_uni", clock, nest)
    sim.end()
    return result


def _result(case: str, impl: str, clock: _bench.Clock, nest) -> dict:
    return {
        "name": case,
        "impl": impl,
        "connect_s": round(clock.seconds["connect"], 4),
        "first_run_s": round(clock.seconds["first_run"], 4),
        "connections": int(nest.GetKernelStatus("num_connections")),
        "peak_rss_mb": round(_bench.peak_rss_mb(), 1),
    }


def _median(records: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in records)


def bench_case(case: str, repeats: int, seed: int) -> dict:
    """Run one case ``repeats`` times per implementation, alternating the order."""
    runs: dict[str, list[dict]] = {"nest": [], "pynn_uni": []}
    errors = []
    for rep in range(repeats):
        order = ("nest", "pynn_uni") if rep % 2 == 0 else ("pynn_uni", "nest")
        for impl in order:
            r = _bench.run_child([__file__, "--worker", case, impl, "--seed", str(seed + rep)])
            (errors.append(r["error"]) if "error" in r else runs[impl].append(r))
    out: dict = {"name": case, "repeats": repeats}
    for impl, records in runs.items():
        if records:
            out[impl] = {
                k: _median(records, k)
                for k in ("connect_s", "first_run_s", "connections", "peak_rss_mb")
            }
    if runs["nest"] and runs["pynn_uni"]:
        a, b = out["nest"], out["pynn_uni"]
        out["ratio_connect"] = round(b["connect_s"] / a["connect_s"], 3)
        out["ratio_connect_plus_first_run"] = round(
            (b["connect_s"] + b["first_run_s"]) / (a["connect_s"] + a["first_run_s"]), 3
        )
        out["target_connect"] = "<= 2"
    if errors:
        out["errors"] = errors
    return out


def _import_seconds(code: str) -> float:
    env = _bench.child_env()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{code!r} failed:\n{proc.stderr.strip()[-2000:]}")
    return time.perf_counter() - t0


def bench_import(repeats: int = 5) -> dict:
    """Median wall time of starting Python and importing nest, with and without pynn_uni."""
    base, both = [], []
    for rep in range(repeats):
        pair = [("base", "import nest"), ("both", "import nest, pynn_uni.nest")]
        for which, code in pair if rep % 2 == 0 else reversed(pair):
            (base if which == "base" else both).append(_import_seconds(code))
    b, c = statistics.median(base), statistics.median(both)
    return {
        "name": "import",
        "repeats": repeats,
        "import_nest_s": round(b, 4),
        "import_nest_and_pynn_uni_s": round(c, 4),
        "extra_s": round(c - b, 4),
        "target_extra": "< 0.3",
    }


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeats", type=int, default=5, help="runs per implementation")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--cases", nargs="+", default=[*CASES, "import"], choices=[*CASES, "import"])
    p.add_argument("--worker", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        case, impl = args.worker
        worker = _worker_nest if impl == "nest" else _worker_pynn_uni
        print(json.dumps(worker(case, args.seed)), flush=True)
        return
    for case in args.cases:
        result = bench_import() if case == "import" else bench_case(case, args.repeats, args.seed)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
