"""Wall-clock timing of script sections (PyNN's ``pyNN.utility.timer`` path)."""

from __future__ import annotations

import warnings
from time import perf_counter as _clock

__all__ = ["Timer"]


class Timer:
    """Wall-clock timer for script sections; starts on creation.

    Times are in seconds, from a monotonic clock.  ``marks`` holds ``(label, seconds)``
    pairs stored by :meth:`mark`.
    """

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) timing from now."""
        self._start_time = _clock()
        self._last_check = self._start_time

    def reset(self) -> None:
        """Set the elapsed time back to zero and keep the clock running."""
        self.start()

    def elapsed_time(self, format: str | None = None) -> float | str:
        """Seconds since :meth:`start`; ``format='long'`` gives words ("2 minutes, 3 seconds").

        Also sets the reference point of :meth:`diff`.
        """
        now = _clock()
        self._last_check = now
        elapsed = now - self._start_time
        return self.time_in_words(elapsed) if format == "long" else elapsed

    def elapsedTime(self, format: str | None = None) -> float | str:
        """Deprecated alias of :meth:`elapsed_time`."""
        warnings.warn(
            "Timer.elapsedTime() is deprecated; use Timer.elapsed_time()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.elapsed_time(format)

    def diff(self, format: str | None = None) -> float | str:
        """Seconds since the last call of :meth:`elapsed_time`, :meth:`diff` or :meth:`mark`
        (or since :meth:`start`)."""
        now = _clock()
        delta = now - self._last_check
        self._last_check = now
        return self.time_in_words(delta) if format == "long" else delta

    def mark(self, label: str) -> None:
        """Append ``(label, diff())`` to :attr:`marks`."""
        self.marks.append((label, self.diff()))

    @staticmethod
    def time_in_words(s: float) -> str:
        """Whole years, days, hours, minutes and seconds of ``s`` seconds, in words.

        A year is 365.2425 days (31 556 952 s); zero parts are left out; under one
        second gives ``"0 seconds"``.
        """
        remaining = int(s)
        parts = []
        for unit, size in (("year", 31556952), ("day", 86400), ("hour", 3600), ("minute", 60)):
            count, remaining = divmod(remaining, size)
            parts.append((unit, count))
        parts.append(("second", remaining))
        words = [f"{n} {unit}{'' if n == 1 else 's'}" for unit, n in parts if n > 0]
        return ", ".join(words) or "0 seconds"
