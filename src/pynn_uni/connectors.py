"""The ``pyNN.connectors`` module path: every connector (see :mod:`pynn_uni.common.connectors`)."""

from pynn_uni.common.connectors import *  # noqa: F401,F403
from pynn_uni.common.connectors import __all__  # noqa: F401
