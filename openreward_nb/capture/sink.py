"""Where captured SDK calls are logged: the collaboration between capture and a rollout, named.

``rollout.capture_sink()`` hands one over; the recorder logs each captured event through
it, which queues the event and remembers it in the rollout's capture history (so
re-sent history and explicit logs of the same message are not stored twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..events import Event
from .history import History


@dataclass(frozen=True)
class CaptureSink:
    """A rollout as capture sees it: its history, whether raw payloads are kept, and how to queue an event."""

    history: History
    keep_raw: bool
    emit: Callable[[Event, dict[str, Any] | None], int]

    def log(self, event: Event, metadata: dict[str, Any] | None = None) -> int:
        """Queue a captured event (returns its index) and remember it as captured."""
        with self.history.lock:
            idx = self.emit(event, metadata)
            self.history.add(event, idx, captured=True)
        return idx
