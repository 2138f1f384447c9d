"""Text progress bars, one of them a ``run()`` callback (PyNN's
``pyNN.utility.progress_bar`` path)."""

from __future__ import annotations

__all__ = ["ProgressBar", "SimulationProgressBar"]


class ProgressBar:
    """Text progress bar redrawn in place on stdout, e.g. ``[ ####      ]  40%``.

    ``width`` counts the bar's characters plus the two brackets; ``mode='fixed'`` pads
    the bar with spaces so the percentage stays put, ``'dynamic'`` lets it move.
    """

    def __init__(self, width: int = 77, char: str = "#", mode: str = "fixed") -> None:
        self.width = width
        self.char = char
        self.mode = mode if mode in ("fixed", "dynamic") else "fixed"

    def render(self, level: float) -> str:
        """The bar for ``level`` (a fraction, clipped to [0, 1]) as a string."""
        level = min(max(float(level), 0.0), 1.0)
        n_full = max(self.width - 2, 0)
        n_chars = int(round(level * n_full))
        bar = self.char * n_chars
        if self.mode == "fixed":
            bar += " " * (n_full - n_chars)
        return f"[ {bar} ] {100 * level:3.0f}%"

    def set_level(self, level: float) -> None:
        """Redraw the bar at ``level`` (0 to 1)."""
        print(self.render(level), end=" \r", flush=True)

    def __call__(self, level: float) -> None:
        self.set_level(level)


class SimulationProgressBar(ProgressBar):
    """Progress bar to pass to ``sim.run(t_stop, callbacks=[bar])``.

    ``interval`` and ``t_stop`` are in ms; the bar has one character per interval.  As a
    callback it is called with the current time and returns the next time it wants to be
    called, ``t + interval``.
    """

    def __init__(self, interval: float, t_stop: float, char: str = "#", mode: str = "fixed"):
        super().__init__(width=int(t_stop / interval), char=char, mode=mode)
        self.interval = interval
        self.t_stop = t_stop

    def __call__(self, t: float) -> float:  # type: ignore[override]
        self.set_level(t / self.t_stop)
        return t + self.interval
