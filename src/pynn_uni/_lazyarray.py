"""lazyarray, imported without scipy.

lazyarray imports ``scipy.sparse`` (about 0.2 s) only to accept sparse matrices as
array values, which pynn_uni never gives it.  Unless scipy.sparse is already loaded, its
import is made to fail for that one statement; it stays importable afterwards.
"""

from __future__ import annotations

import sys

if "lazyarray" not in sys.modules and "scipy.sparse" not in sys.modules:
    sys.modules["scipy.sparse"] = None  # type: ignore[assignment]  # the import fails fast
    try:
        import lazyarray  # noqa: F401
    finally:
        del sys.modules["scipy.sparse"]

from lazyarray import VectorizedIterable, larray  # noqa: E402

__all__ = ["VectorizedIterable", "larray"]
