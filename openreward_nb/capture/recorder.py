"""Turning captured SDK calls into rollout events: new inputs, outputs, errors, with metadata.

Nothing here may break the user's agent: a failure to record warns once and the SDK
call's own result or exception reaches the user unchanged.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..events import Event
from .history import History
from .streams import OnEnd

if TYPE_CHECKING:
    from ..rollout import Rollout
    from .sdks import Endpoint

_warned: set[str] = set()


def warn_once(key: str, message: str) -> None:
    """Warn about a capture problem once per process per key."""
    if key not in _warned:
        _warned.add(key)
        warnings.warn(f"openreward_nb capture: {message}", RuntimeWarning, stacklevel=3)


class Recorder:
    """The capture state of one scope: which rollout, and the streams still open in it."""

    def __init__(self, rollout: Rollout) -> None:
        self.rollout = rollout
        self.keep_raw: bool = rollout.keep_raw
        self.history: History = rollout._start_history()
        self.calls = 0
        self.errors = 0
        self._open_streams: dict[int, OnEnd] = {}

    # --- emitting ------------------------------------------------------------------------
    def _emit(self, event: Event, metadata: dict | None = None) -> None:
        with self.history.lock:
            idx = self.rollout._emit(event, metadata=metadata)
            self.history.add(event, idx, captured=True)

    def record(
        self,
        endpoint: Endpoint,
        request: Any,
        response: Any,
        started: float,
        error: BaseException | None = None,
    ) -> None:
        """Log one finished call: inputs not seen yet, then outputs (or the error)."""
        try:
            latency_ms = (time.perf_counter() - started) * 1000.0
            self.calls += 1
            with self.history.lock:
                fresh = self.history.unseen(endpoint.input_events(request, self.keep_raw))
            for event in fresh:
                self._emit(event)
            meta = {"provider": endpoint.provider, "endpoint": endpoint.name, **endpoint.request_params(request)}
            outputs = endpoint.output_events(response, self.keep_raw) if response is not None else []
            if error is not None:
                self.errors += 1
                outputs.append(endpoint.error_event(error))
                meta["error"] = f"{type(error).__name__}: {error}"[:2000]
            for i, event in enumerate(outputs):
                if i == 0:
                    event.latency_ms = latency_ms
                self._emit(event, metadata=meta if i == 0 else None)
        except Exception as exc:
            warn_once(
                f"record:{endpoint.provider}:{type(exc).__name__}",
                f"could not record a {endpoint.provider} call ({exc!r})",
            )

    # --- streams -------------------------------------------------------------------------
    def stream_finisher(self, endpoint: Endpoint, request: Any, started: float) -> tuple[Callable[[Any], None], OnEnd]:
        """(on_item, finish) for a streamed call: items accumulate; the end records the call."""
        accumulator = endpoint.stream_accumulator(request)
        key = id(accumulator)

        def on_item(item: Any) -> None:
            try:
                accumulator.add(item)
            except Exception as exc:
                warn_once(f"stream:{endpoint.name}", f"could not follow a {endpoint.name} stream ({exc!r})")

        def finish(error: BaseException | None) -> None:
            self._open_streams.pop(key, None)
            try:
                response = accumulator.result()
            except Exception as exc:
                warn_once(f"stream-end:{endpoint.name}", f"could not assemble a {endpoint.name} stream ({exc!r})")
                response = None
            self.record(endpoint, request, response, started, error)

        self._open_streams[key] = finish
        return on_item, finish

    def close(self) -> None:
        """End of the scope: record streams that were never consumed to the end."""
        for finish in list(self._open_streams.values()):
            finish(None)
