"""examples/va_benchmark.py with a deliberate bug on one simulator: when that simulator is
the one named by ``PYNN_UNI_BROKEN`` (default ``neuron``), every recurrent excitatory weight
is 20% stronger (4.8 nS instead of 4 nS).  Other simulators run the example unchanged.

Used by tests/test_compare_va.py to check that ``pynn-uni compare`` notices; the example's
source is edited in memory, so the example itself keeps no test-only option.
"""

import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "va_benchmark.py"
ORIGINAL = "w_exc, w_inh = 4e-3, 51e-3"
BROKEN = "w_exc, w_inh = 1.2 * 4e-3, 51e-3"

source = EXAMPLE.read_text()
if source.count(ORIGINAL) != 1:
    raise SystemExit(f"{EXAMPLE} no longer sets its COBA weights with {ORIGINAL!r}")
if len(sys.argv) > 1 and sys.argv[1] == os.environ.get("PYNN_UNI_BROKEN", "neuron"):
    source = source.replace(ORIGINAL, BROKEN)
exec(compile(source, str(EXAMPLE), "exec"), {"__name__": "__main__", "__file__": str(EXAMPLE)})
