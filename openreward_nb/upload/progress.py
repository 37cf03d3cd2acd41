"""A progress bar for uploads: a widget in a notebook, a line redrawn in a terminal, nothing elsewhere."""

from __future__ import annotations

import sys
import time
from abc import ABC, abstractmethod


def _in_notebook() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Progress(ABC):
    """Shows ``done`` of ``total`` events; :meth:`update` may be called often (redraws are throttled)."""

    def __init__(self, total: int, label: str = "upload") -> None:
        self.total = max(total, 0)
        self.label = label
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self.total = max(self.total, done)
            self._draw(done, now - self.started)

    def close(self, done: int, summary: str, ok: bool) -> None:
        """Draw the final state and say how it ended."""
        self.total = max(self.total, done)
        self._draw(done, time.monotonic() - self.started)
        self._finish(summary, ok)

    def _text(self, done: int, elapsed: float) -> str:
        rate = done / elapsed if elapsed > 0 else 0.0
        return f"{done:,}/{self.total:,} events  {rate:,.0f}/s"

    @abstractmethod
    def _draw(self, done: int, elapsed: float) -> None: ...

    @abstractmethod
    def _finish(self, summary: str, ok: bool) -> None: ...


class TerminalProgress(Progress):
    """A bar redrawn in place on stderr."""

    WIDTH = 30

    def _draw(self, done: int, elapsed: float) -> None:
        filled = self.WIDTH if not self.total else int(self.WIDTH * min(done, self.total) / self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {self._text(done, elapsed)} ")
        sys.stderr.flush()

    def _finish(self, summary: str, ok: bool) -> None:
        sys.stderr.write(f"\n{summary}\n")
        sys.stderr.flush()


class WidgetProgress(Progress):
    """An ipywidgets progress bar with a label, displayed in the cell's output."""

    def __init__(self, total: int, label: str = "upload") -> None:
        super().__init__(total, label)
        import ipywidgets
        from IPython.display import display

        self._bar = ipywidgets.IntProgress(min=0, max=max(total, 1), description=label)
        self._info = ipywidgets.Label(self._text(0, 0.0))
        display(ipywidgets.HBox([self._bar, self._info]))  # type: ignore[no-untyped-call]

    def _draw(self, done: int, elapsed: float) -> None:
        self._bar.max = max(self.total, 1)
        self._bar.value = min(done, self._bar.max)
        self._info.value = self._text(done, elapsed)

    def _finish(self, summary: str, ok: bool) -> None:
        self._bar.bar_style = "success" if ok else "warning"
        self._info.value = summary.splitlines()[0]


def progress_bar(total: int, enabled: bool | None = None) -> Progress | None:
    """A bar fit for where this runs, or None (``enabled=None``: only in a notebook or an interactive terminal)."""
    if enabled is False:
        return None
    if _in_notebook():
        try:
            return WidgetProgress(total)
        except ImportError:
            pass
    if enabled or sys.stderr.isatty():
        return TerminalProgress(total)
    return None
