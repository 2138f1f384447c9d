"""``import pynn_uni.testing.reference as sim``: the PyNN 0.13 API on the reference backend.

A simulator written in numpy, with no dependency beyond pynn_uni's own: the executable
specification of backend protocol v2 (:mod:`pynn_uni.common.backend`), the backend the
common layer's tests run on, and the worked example of ``docs/writing_a_backend.md``.
What it simulates and how is in :mod:`.backend` and :mod:`.neurons`; what it declares in
``capabilities.toml`` beside this file.
"""

from pynn_uni.common.namespace import populate as _populate
from pynn_uni.testing.reference.backend import ReferenceBackend

_populate(globals(), ReferenceBackend)
