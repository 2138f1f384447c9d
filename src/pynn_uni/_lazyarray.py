"""lazyarray, imported without scipy and without numpy's lazily loaded submodules.

lazyarray imports ``scipy.sparse`` (about 0.2 s, 11 MB) only to accept sparse matrices as
array values, which pynn_uni never gives it.  Unless scipy.sparse is already loaded, its
import is made to fail for that one statement; it stays importable afterwards.
"""

from __future__ import annotations

import sys

import numpy as np

if "lazyarray" not in sys.modules:
    # lazyarray wraps every ufunc it finds in dir(numpy), touching each name: that loads
    # numpy's lazily imported submodules too (f2py, which imports charset_normalizer,
    # ctypeslib, ...: 8 MB).  It is shown only what numpy has loaded (all ufuncs are).
    blocked = "scipy.sparse" not in sys.modules
    if blocked:
        sys.modules["scipy.sparse"] = None  # type: ignore[assignment]  # fails fast
    numpy_dir = np.__dict__.get("__dir__")
    np.__dir__ = lambda: [name for name in numpy_dir() if name in np.__dict__]
    try:
        import lazyarray  # noqa: F401
    finally:
        if blocked:
            del sys.modules["scipy.sparse"]
        if numpy_dir is None:
            del np.__dir__
        else:
            np.__dir__ = numpy_dir

from lazyarray import VectorizedIterable, larray  # noqa: E402

__all__ = ["VectorizedIterable", "larray"]
