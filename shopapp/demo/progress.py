"""A small terminal progress bar (stderr) for long imports; silent when not wanted."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(
        self, *, enabled: bool = True, stream: TextIO | None = None, width: int = 30
    ) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self._drew = False

    def parsing(self, fraction: float, lines: int) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self._last_draw < 0.2:
            return
        self._last_draw = now
        rate = lines / max(now - self.started, 1e-9)
        self._draw(
            f"reading  {self._bar(fraction)} {fraction:6.1%}  {lines:>9,} lines  "
            f"{rate:>9,.0f} lines/s"
        )

    def step(self, name: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        fraction = done / total if total else 1.0
        self._draw(
            f"writing  {self._bar(fraction)} {fraction:6.1%}  {name:<12} {done:>9,}/{total:,}"
        )

    def finish(self, message: str) -> None:
        if not self.enabled:
            return
        if self._drew:
            self.stream.write("\n")
        self.stream.write(message + "\n")
        self.stream.flush()

    def _bar(self, fraction: float) -> str:
        filled = round(self.width * min(max(fraction, 0.0), 1.0))
        return "[" + "#" * filled + "." * (self.width - filled) + "]"

    def _draw(self, text: str) -> None:
        self._drew = True
        self.stream.write("\r" + text.ljust(100))
        self.stream.flush()
