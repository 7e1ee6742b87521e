"""A plain progress bar on the terminal (stderr), no dependencies.

On a terminal the bar redraws in place; when stderr is not a terminal (a log,
a CI job) each stage is printed once on its own line instead.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30


class Progress:
    """Weighted progress over a known amount of work."""

    def __init__(self, total: float, stream: TextIO | None = None, label: str = "demo") -> None:
        self.total = max(float(total), 1e-9)
        self.done = 0.0
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.started = time.monotonic()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_line = ""

    def advance(self, amount: float, message: str) -> None:
        """Record ``amount`` of work done and show ``message`` as the current stage."""
        self.done = min(self.total, self.done + amount)
        self._show(message)

    def note(self, message: str) -> None:
        """Show ``message`` without advancing."""
        self._show(message)

    def finish(self, message: str = "done") -> None:
        """Fill the bar and end its line."""
        self.done = self.total
        self._show(message)
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, message: str) -> None:
        fraction = self.done / self.total
        elapsed = time.monotonic() - self.started
        if self._tty:
            filled = round(fraction * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"\r{self.label} [{bar}] {fraction * 100:3.0f}% {elapsed:5.1f}s  {message}"
            padding = max(0, len(self._last_line) - len(line))
            self.stream.write(line + " " * padding)
            self._last_line = line
        else:
            self.stream.write(f"{self.label}: {fraction * 100:3.0f}% {message}\n")
        self.stream.flush()
