"""A daemon thread that calls ``tick`` every ``interval`` seconds until it returns False or is stopped."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable


class Poller:
    """Runs ``tick()`` every ``interval`` s on its own thread; a failing tick warns once and stops polling."""

    def __init__(self, tick: Callable[[], bool], interval: float = 0.5, name: str = "openreward_nb-live") -> None:
        self._tick = tick
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if not self._tick():
                    return
            except Exception as exc:
                warnings.warn(f"openreward_nb: live updates stopped: {type(exc).__name__}: {exc}", stacklevel=1)
                return

    def stop(self, timeout: float = 2.0) -> None:
        """Stop polling and wait for the thread (unless called from the thread itself)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
