"""Run the robustness catalogue (tests/robustness) and count its outcomes per backend.

    python tools/robustness_report.py                  # every installed backend
    python tools/robustness_report.py --backend nest   # extra arguments go to pytest
    python tools/robustness_report.py --gaps           # also list the known gaps by reason

Each test run is put in one column:

* ``refused``: it passed and every ``pytest.raises`` in it caught a *named* error: a class
  of pynn_uni (``pynn_uni.errors``, a backend's ``errors``), or one of the builtins Python
  itself raises for a wrong call (``DOCUMENTED``) that the test asserted by that class;
* ``accepted``: it passed without expecting an error (a legitimate edge value ran, or data
  stayed readable);
* ``fault``: it passed, and what its ``pytest.raises`` caught was raised by the test's own code
  (an injected fault: a user callback or a patched simulator call raising), which propagated
  unchanged while the simulation stayed usable;
* ``gap``: a strict xfail, a bad input known not to be refused yet (the reason names where the
  fix belongs);
* ``skipped``: the backend does not declare what the case needs (its capabilities);
* ``other``: anything else: a failure, an error, a strict xfail that passed, or a passing
  test whose ``pytest.raises`` caught a raw exception (e.g. a plain ``ValueError``).  The
  target is 0; the exit status is 1 otherwise.

Distinct bad inputs are counted once over the backends (the test id without the backend).
The classification wraps ``pytest.raises`` for the run, so it is read from what each test
asserted and caught, not from its name.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("hardware", "nest", "neuron", "reference")
#: parameters whose value names the backend a test ran on
BACKEND_PARAMS = ("backend_name", "backend", "current")
#: builtins that Python (or PyNN's API) raises for a wrong call, with a message of its own;
#: ImportError: an optional package that is not installed (CSAConnector without csa)
DOCUMENTED = (TypeError, IndexError, KeyError, KeyboardInterrupt, ImportError)
COLUMNS = ("refused", "accepted", "fault", "gap", "skipped", "other")
TESTS = ROOT / "tests"


def _named(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "pynn_uni"


def _expected(expected) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _raised_by_test(tb) -> bool:
    """Whether the innermost frame of a traceback lies in the test tree (an injected fault)."""
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and Path(tb.tb_frame.f_code.co_filename).is_relative_to(TESTS)


class _Watched:
    """A ``pytest.raises`` context that reports what it caught."""

    def __init__(self, context, expected, log):
        self._context, self._expected, self._log = context, expected, log

    def __enter__(self):
        return self._context.__enter__()

    def __exit__(self, exc_type, exc, tb):
        suppressed = self._context.__exit__(exc_type, exc, tb)
        if suppressed:
            self._log.append((self._expected, exc_type, _raised_by_test(tb)))
        return suppressed


class Classifier:
    """pytest plugin: watches ``pytest.raises`` and sorts every test into ``COLUMNS``."""

    def __init__(self):
        self.caught: list[tuple] = []
        self.rows: dict[str, dict] = {}
        self._raises = None

    # -- watching pytest.raises -----------------------------------------------------------------
    def pytest_configure(self, config):
        self._raises = pytest.raises
        original, log = self._raises, self.caught

        def raises(expected_exception=None, *args, **kwargs):
            if args:  # pytest.raises(E, func, *args): the call form returns ExceptionInfo
                info = original(expected_exception, *args, **kwargs)
                log.append((expected_exception, info.type, _raised_by_test(info.tb)))
                return info
            return _Watched(original(expected_exception, **kwargs), expected_exception, log)

        pytest.raises = raises

    def pytest_unconfigure(self, config):
        if self._raises is not None:
            pytest.raises = self._raises

    def pytest_runtest_setup(self, item):
        self.caught.clear()

    # -- sorting --------------------------------------------------------------------------------
    def _row(self, item) -> dict:
        if item.nodeid not in self.rows:
            params = getattr(getattr(item, "callspec", None), "params", {})
            backend = next(
                (params[k] for k in BACKEND_PARAMS if params.get(k) in BACKENDS), "(none)"
            )
            key = item.nodeid.split("[")[0]
            if "[" in item.nodeid:
                inner = item.nodeid.split("[", 1)[1][:-1]
                for form in (f"{backend}-", f"-{backend}", backend):
                    if form in inner:
                        inner = inner.replace(form, "", 1)
                        break
                key += f"[{inner}]"
            self.rows[item.nodeid] = {"backend": backend, "input": key, "column": None}
        return self.rows[item.nodeid]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        row = self._row(item)
        if row["column"] in ("other",):
            return
        if report.failed:
            row["column"], row["why"] = "other", f"{report.when} failed"
        elif report.skipped and hasattr(report, "wasxfail"):
            row["column"], row["why"] = "gap", report.wasxfail
        elif report.skipped:
            row["column"] = "skipped"
        elif report.when == "call":
            row["column"] = self._passed(row)

    def _passed(self, row) -> str:
        if not self.caught:
            return "accepted"
        if all(injected for _, _, injected in self.caught):
            return "fault"
        for expected, caught, injected in self.caught:
            asserted = _expected(expected)
            if injected or _named(caught) or (caught in DOCUMENTED and caught in asserted):
                continue
            row["why"] = f"asserted {[c.__name__ for c in asserted]}, caught raw {caught}"
            return "other"
        return "refused"


def _table(rows: dict) -> str:
    counts = collections.defaultdict(collections.Counter)
    for row in rows.values():
        counts[row["backend"]][row["column"] or "other"] += 1
    lines = [f"{'backend':<10}" + "".join(f"{c:>10}" for c in COLUMNS) + f"{'total':>10}"]
    total = collections.Counter()
    for backend in sorted(counts):
        total.update(counts[backend])
        cells = "".join(f"{counts[backend][c]:>10}" for c in COLUMNS)
        lines.append(f"{backend:<10}{cells}{sum(counts[backend].values()):>10}")
    cells = "".join(f"{total[c]:>10}" for c in COLUMNS)
    lines.append(f"{'all':<10}{cells}{sum(total.values()):>10}")
    refused = {r["input"] for r in rows.values() if r["column"] == "refused"}
    gaps = {r["input"] for r in rows.values() if r["column"] == "gap"} - refused
    accepted = {r["input"] for r in rows.values() if r["column"] == "accepted"}
    lines.append(
        f"distinct inputs (over the backends): {len(refused)} refused by name, "
        f"{len(gaps)} known gaps, {len(accepted)} accepted or checked"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gaps", action="store_true", help="list the known gaps by reason")
    args, extra = parser.parse_known_args(argv)
    plugin = Classifier()
    pytest_args = ["-q", "-rN", "--tb=short", "-p", "no:cacheprovider",
                   str(ROOT / "tests" / "robustness"), *extra]  # fmt: skip
    status = pytest.main(pytest_args, plugins=[plugin])
    rows = plugin.rows
    print()
    print(_table(rows))
    others = [(nodeid, row) for nodeid, row in rows.items() if row["column"] in (None, "other")]
    for nodeid, row in others:
        print(f"  other: {nodeid}: {row.get('why', 'no outcome')}")
    if args.gaps:
        reasons = collections.defaultdict(set)
        for row in rows.values():
            if row["column"] == "gap":
                reasons[row["why"]].add(row["input"].rpartition("/")[2])
        for reason, inputs in sorted(reasons.items()):
            print(f"  gap ({len(inputs)}): {reason}")
            for name in sorted(inputs):
                print(f"      {name}")
    return 1 if others or status not in (0, pytest.ExitCode.OK) else 0


if __name__ == "__main__":
    sys.exit(main())
