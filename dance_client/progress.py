"""Progress on stderr: a bar redrawn in place on a terminal, a few plain lines in a log."""
from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    """Progress on stderr: one line redrawn in place on a terminal, a few plain lines otherwise."""

    #: Characters of bar on a terminal.
    WIDTH = 30
    #: Without a terminal (a log, CI) a line at 0, 25, 50, 75 and 100 %: visible, yet short.
    STEPS = 4

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.redraw = self.stream.isatty()
        self._last_plain: tuple[int, str] | None = None
        self._drawn = False

    def show(self, fraction: float, detail: str = "", *, phase: str = "") -> None:
        """Show ``fraction`` (0..1); without a terminal only at each quarter or a new ``phase``."""
        fraction = min(max(fraction, 0.0), 1.0)
        if self.redraw:
            filled = round(fraction * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {detail}\x1b[K")
            self._drawn = True
        else:
            mark = (int(fraction * self.STEPS), phase)
            if mark == self._last_plain:
                return
            self._last_plain = mark
            self.stream.write(f"{self.label}: {fraction:4.0%} {detail}\n")
        self.stream.flush()

    def show_bytes(self, sent: int, size: int) -> None:
        """Show ``sent`` of ``size`` bytes (an empty file is done at once)."""
        self.show(sent / size if size else 1.0, f"{human_bytes(sent)} / {human_bytes(size)}")

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def human_bytes(count: float) -> str:
    """``1.3 MB``-style sizes for the progress bar (decimal units, as disks and networks count)."""
    if count < 1000:
        return f"{count:.0f} B"
    for unit in ("kB", "MB", "GB"):
        count /= 1000
        if count < 1000:
            break
    return f"{count:.1f} {unit}"
