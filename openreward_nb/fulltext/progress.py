"""The progress a search shows while it indexes or scans: a bar per step, only when one happens."""

from __future__ import annotations

from ..upload.progress import Progress, progress_bar

_LABELS = {"indexing": "search: indexing", "scanning": "search: scanning"}


class SearchProgress:
    """Called as ``(step, done, total)``; opens a bar for each step, closes the last with :meth:`close`."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = enabled
        self._step: str | None = None
        self._bar: Progress | None = None
        self._done = 0
        self._stopped = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if self._stopped:
            return
        if step != self._step:
            self.close()
            self._step = step
            self._bar = progress_bar(total, self.enabled, _LABELS.get(step, step))
        self._done = done
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done)

    def close(self, so_far: bool = False) -> None:
        """Draw the last step's final state and say what it did (``so_far``: what it did until now)."""
        bar, self._bar = self._bar, None
        if bar is not None:
            what = "indexed for search (once)" if self._step == "indexing" else "read"
            bar.close(self._done, f"{self._done:,} events {what}{' so far' if so_far else ''}", True)

    def stop(self) -> None:
        """End the bar where it is and draw no more (what follows is printed on the lines below)."""
        if not self._stopped:
            self.close(so_far=True)
            self._stopped = True
