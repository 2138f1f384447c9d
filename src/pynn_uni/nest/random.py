"""PyNN's ``pyNN.nest.random`` path: the random-number module as seen from NEST.

Everything in :mod:`pynn_uni.random` is re-exported unchanged; its ``NativeRNG`` tells
pynn_uni to let NEST draw the numbers where the NEST backend can.
"""

from pynn_uni.random import *  # noqa: F403 - the whole pyNN.random namespace
from pynn_uni.random import __all__  # noqa: F401
