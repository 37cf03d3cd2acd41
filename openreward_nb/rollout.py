"""A rollout being recorded: the ``log*`` methods, rewards, finish and the context manager."""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from ._jsonable import to_jsonable
from ._printing import print_event
from .errors import ClientClosedError, RolloutClosedError
from .events import Event, event_from_message
from .limits import MAX_INDEX
from .messages import RolloutInfo, UploadType
from .store.ops import EndOp, EventOp, InfoOp, PatchOp, dumps, event_weight
from .store.writer import HEAVY_EVENT_BYTES

if TYPE_CHECKING:
    from .annotations import Annotation
    from .capture.history import History
    from .capture.sink import CaptureSink
    from .client import Recording
    from .providers.protocol import ToEvents
    from .records import RolloutRecord
    from .reports import Report


@dataclass
class RolloutConfig:
    """What a rollout was created with (the fields of the SDK's ``RolloutConfig``)."""

    run_name: str
    rollout_name: str | None = None
    environment: str | None = None
    variant: str | None = None
    split: str | None = None
    metadata: dict[str, Any] | None = None
    task_spec: dict[str, Any] | None = None
    run_info: dict[str, Any] | None = None


def check_reward(reward: Any) -> float | None:
    """The reward as a float; raise if it is not a finite real number."""
    if reward is None:
        return None
    kind = type(reward)
    if kind is float:
        if reward - reward == 0.0:
            return float(reward)
        raise ValueError(f"reward must be a finite number, got {reward!r}")
    if kind is int:
        return float(reward)
    if isinstance(reward, bool) or not isinstance(reward, numbers.Real):
        raise TypeError(f"reward must be a number (int or float), got {kind.__name__}: {reward!r:.60}")
    value = float(reward)
    if not math.isfinite(value):
        raise ValueError(f"reward must be a finite number, got {reward!r}")
    return value


def check_finished(is_finished: Any) -> bool:
    """``is_finished`` as a bool (None counts as False, as in the SDK)."""
    if is_finished is None or is_finished is False:
        return False
    if is_finished is True:
        return True
    kind = type(is_finished)
    if (kind.__name__ in ("bool", "bool_") and kind.__module__ == "numpy") or (
        isinstance(is_finished, int) and is_finished in (0, 1)
    ):
        return bool(is_finished)
    raise TypeError(f"is_finished must be True or False, got {type(is_finished).__name__}: {is_finished!r:.60}")


def check_metadata(metadata: Any, name: str = "metadata") -> dict[str, Any] | None:
    """A JSON-ready copy of a metadata dict (None stays None)."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise TypeError(f"{name} must be a dict, got {type(metadata).__name__}: {metadata!r:.60}")
    checked: dict[str, Any] = to_jsonable(metadata, name)
    return checked


def info_dict(info: Any, name: str) -> dict[str, Any] | None:
    """RunInfo / RolloutInfo (or a dict of their fields) as a JSON-ready dict without unset fields."""
    if info is None:
        return None
    if dataclasses.is_dataclass(info) and not isinstance(info, type):
        info = dataclasses.asdict(info)
    if not isinstance(info, dict):
        expected = "RolloutInfo" if name == "rollout_info" else "RunInfo"
        raise TypeError(f"{name} must be a {expected} or a dict, got {type(info).__name__}")
    return {k: v for k, v in (check_metadata(info, name) or {}).items() if v is not None}


_ADAPTERS: dict[str, ToEvents] = {}


def _adapter(provider: str) -> ToEvents:
    """``to_events`` of the provider named ``provider`` (its folder imported on first use)."""
    from . import providers

    convert = _ADAPTERS[provider] = providers.get(provider).to_events
    return convert


class Rollout:
    """One episode being recorded. Created by ``client.rollout.create(...)``."""

    def __init__(self, recording: Recording, rollout_id: str, config: RolloutConfig, print_messages: bool) -> None:
        self._recording = recording
        self.id = rollout_id
        self.config = config
        self.print_messages = print_messages
        self._put = recording.writer.put
        self._lock = threading.Lock()
        self._n = 0
        self._ended = False
        self._info: dict[str, Any] = {}
        #: set once SDK calls are captured into this rollout: explicit logs then claim captured events
        self._history: History | None = None

    # --- SDK compatibility ---------------------------------------------------------------
    @property
    def event_id(self) -> str:
        """The rollout's id (the SDK's name for it)."""
        return self.id

    @property
    def logged_messages(self) -> int:
        """How many events have been logged so far."""
        return self._n

    @property
    def run_name(self) -> str:
        return self.config.run_name

    @property
    def ended(self) -> bool:
        """True once :meth:`finish` ran (or the client closed)."""
        return self._ended

    @property
    def keep_raw(self) -> bool:
        """Whether events logged from provider objects keep their raw payload (``OpenReward(keep_raw=...)``)."""
        return self._recording.keep_raw

    def log(
        self,
        message: UploadType | dict[str, Any],
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record one generic message (UserMessage, ToolCall, ... or a dict with ``type``)."""
        event = event_from_message(message)
        if self._history is not None:
            self._emit_all([event], reward, is_finished, metadata, rollout_info)
        else:
            self._emit(event, reward, is_finished, metadata, rollout_info)

    # --- provider objects (openreward_nb.providers) --------------------------------------
    def log_openai_response(
        self,
        message: Any,
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record an OpenAI Responses ``Response`` (all of its output), one input/output item, or a list of items."""
        self.log_provider("openai_responses", message, reward, is_finished, metadata, rollout_info)

    def log_openai_completions(
        self,
        message: Any,
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record a chat message (dict or ``ChatCompletionMessage``), a list, a ``ChatCompletion``, or the chunks
        of a streamed one (OpenAI and OpenAI-compatible servers: OpenRouter, vLLM, DeepSeek...)."""
        self.log_provider("openai_chat", message, reward, is_finished, metadata, rollout_info)

    def log_anthropic_message(
        self,
        message: Any,
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record an Anthropic ``MessageParam`` dict, a whole ``Message``, or a list of messages."""
        self.log_provider("anthropic", message, reward, is_finished, metadata, rollout_info)

    def log_gdm_message(
        self,
        message: Any,
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record a Gemini ``types.Content`` (or its dict), a list, or a whole ``GenerateContentResponse``."""
        self.log_provider("gemini", message, reward, is_finished, metadata, rollout_info)

    def log_provider(
        self,
        provider: str,
        message: Any,
        reward: float | None = None,
        is_finished: bool | None = False,
        metadata: dict[str, Any] | None = None,
        rollout_info: RolloutInfo | None = None,
    ) -> None:
        """Record ``message`` with the adapter of the provider named ``provider`` (a folder of
        :mod:`openreward_nb.providers`); the reward and end flag go on its last event.

        A message with nothing in it records nothing, unless a reward or end flag comes
        with it: then one empty event carries them.
        """
        convert = _ADAPTERS.get(provider) or _adapter(provider)
        keep_empty = reward is not None or not (is_finished is None or is_finished is False)
        events = convert(message, self.keep_raw, keep_empty)
        self._emit_all(events, reward, is_finished, metadata, rollout_info)

    # --- the shared path -----------------------------------------------------------------
    def _emit(
        self,
        event: Event,
        reward: Any = None,
        is_finished: Any = False,
        metadata: Any = None,
        rollout_info: Any = None,
    ) -> int:
        """Validate, assign the next index and queue one event; returns its index."""
        if reward is not None:
            reward = check_reward(reward)
        finished = is_finished is True or (is_finished is not False and check_finished(is_finished))
        if metadata is not None:
            metadata = check_metadata(metadata)
        if rollout_info is not None:
            self.update_info(rollout_info)
        return self._queue(event, reward, finished, metadata)

    def _queue(self, event: Event, reward: float | None, finished: bool, metadata: dict[str, Any] | None) -> int:
        """Assign the next index and queue one event whose fields are checked already; returns its index."""
        weight = event_weight(event) if (event.attachments or (event.content and len(event.content) > 4096)) else 0
        ts = time.time()
        with self._lock:
            if self._ended:
                self._raise_ended()
            idx = self._n
            if idx > MAX_INDEX:
                raise ValueError(f"rollout {self.id} holds {MAX_INDEX + 1:,} events, the most a store takes")
            op = EventOp(self.id, idx, ts, event, reward, finished, metadata)
            if weight >= HEAVY_EVENT_BYTES:
                self._recording.writer.put_heavy(op, weight)
            else:
                self._put(op)
            self._n = idx + 1
        if self.print_messages:
            print_event(event, idx, reward, finished)
        return idx

    def _emit_all(
        self, events: Sequence[Event], reward: Any, is_finished: Any, metadata: Any, rollout_info: Any
    ) -> list[int]:
        """Queue several events of one message; reward and is_finished go on the last one."""
        if reward is not None:
            reward = check_reward(reward)
        finished = is_finished is True or (is_finished is not False and check_finished(is_finished))
        if metadata is not None:
            metadata = check_metadata(metadata)
        if rollout_info is not None:
            self.update_info(rollout_info)
        if self._history is not None:
            return self._claim_or_emit(events, reward, finished, metadata)
        if len(events) == 1:  # the commonest: one message, one event
            return [self._queue(events[0], reward, finished, metadata)]
        last = len(events) - 1
        return [
            self._queue(ev, reward if i == last else None, finished and i == last, metadata)
            for i, ev in enumerate(events)
        ]

    def _claim_or_emit(
        self, events: Sequence[Event], reward: float | None, finished: bool, metadata: dict[str, Any] | None
    ) -> list[int]:
        """Explicit logs while calls are captured: an event already captured is claimed (and gets the
        reward / is_finished / metadata) instead of being logged twice."""
        history = self._history
        assert history is not None
        last = len(events) - 1
        indexes: list[int] = []
        for i, event in enumerate(events):
            r, f = (reward, finished) if i == last else (None, False)
            with history.lock:
                idx = history.claim(event)
                if idx is None:
                    idx = self._queue(event, r, f, metadata)
                    history.add(event, idx, captured=False)
                elif r is not None or f or metadata is not None:
                    with self._lock:
                        if self._ended:
                            self._raise_ended()
                        self._put(PatchOp(self.id, idx, r, f, metadata))
            indexes.append(idx)
        return indexes

    def capture_sink(self) -> CaptureSink:
        """Internal, for :mod:`openreward_nb.capture`: what captured SDK calls are logged through.

        From the first call on, explicit logs claim events already captured instead of
        logging them twice.
        """
        from .capture.history import History
        from .capture.sink import CaptureSink

        if self._history is None:
            self._history = History()
        return CaptureSink(self._history, self.keep_raw, self._emit_captured)

    def _emit_captured(self, event: Event, metadata: dict[str, Any] | None) -> int:
        return self._emit(event, metadata=metadata)

    def _raise_ended(self) -> None:
        if self._recording.closed:
            raise ClientClosedError(f"cannot log to rollout {self.id}: its client has been closed")
        raise RolloutClosedError(
            f"cannot log to rollout {self.id} (run {self.config.run_name!r}): it has already ended; create a new rollout"
        )

    def update_info(self, rollout_info: RolloutInfo | dict[str, Any]) -> None:
        """Merge fields into the rollout's ``rollout_info`` (set fields win, unset ones are kept)."""
        fields = info_dict(rollout_info, "rollout_info")
        with self._lock:
            if self._ended:
                self._raise_ended()
            self._info.update(fields or {})
            self._put(InfoOp(self.id, dumps(self._info)))

    # --- lifecycle -----------------------------------------------------------------------
    def finish(self, error: BaseException | str | None = None) -> None:
        """End the rollout: 'finished', or 'failed' with ``error`` (an exception or a message).

        Calling it again does nothing.
        """
        if isinstance(error, BaseException):
            import traceback

            error = "".join(traceback.format_exception(type(error), error, error.__traceback__)).strip()
        with self._lock:
            if self._ended:
                return
            self._ended = True
            self._put(EndOp(self.id, "failed" if error else "finished", error, time.time()))
        self._recording.forget(self.id)

    def __enter__(self) -> Rollout:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        self.finish(exc)
        return False

    # --- reading back --------------------------------------------------------------------
    def flush(self, timeout: float | None = None) -> None:
        """Return once everything logged so far (to any rollout of this client) is in the store."""
        self._recording.writer.flush(timeout)

    def record(self) -> RolloutRecord:
        """What the store holds for this rollout now (flushes first)."""
        self.flush()
        return self._recording.read(self.id)

    def annotate(
        self,
        label: str | None = None,
        *,
        note: str | None = None,
        score: float | None = None,
        event: int | None = None,
        author: str | None = None,
    ) -> Annotation:
        """Label this rollout or one of its events (flushes first); see :meth:`RolloutRecord.annotate`.

        Written at once, not through the event queue: a label is an edit, not a log.
        """
        from .annotations.api import annotate

        self.flush()
        return annotate(self._recording.store, self.id, label, note=note, score=score, event=event, author=author)

    def annotations(self) -> list[Annotation]:
        """This rollout's annotations, oldest first (flushes first)."""
        from .annotations.sql import of_rollout

        self.flush()
        return of_rollout(self._recording.store, self.id)

    def to_html(self, path: str | os.PathLike[str], **options: Any) -> Report:
        """Write this rollout's timeline, as stored now (flushed first), as one HTML file that opens in
        any browser, offline (see :meth:`RolloutRecord.to_html`)."""
        return self.record().to_html(path, **options)

    def show(self) -> None:
        """Display the timeline widget; it follows new events until the rollout ends."""
        from .viz.views import RolloutView

        RolloutView(self.record()).show()

    def _record_for_display(self) -> RolloutRecord | None:
        try:
            return self.record()
        except Exception as exc:
            import warnings

            warnings.warn(f"openreward_nb: cannot read rollout {self.id} back for display: {exc}", stacklevel=3)
            return None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        record = self._record_for_display()
        if record is None:
            return {"text/plain": repr(self)}
        from .viz.views import RolloutView

        return RolloutView(record)._repr_mimebundle_(include, exclude)

    def _ipython_display_(self) -> None:
        record = self._record_for_display()
        if record is None:
            print(repr(self))
            return
        from .viz.views import RolloutView

        RolloutView(record).show()

    def __repr__(self) -> str:
        name = f" {self.config.rollout_name!r}" if self.config.rollout_name else ""
        state = "ended" if self._ended else "recording"
        return f"<Rollout{name} {self.id} run={self.config.run_name!r} events={self._n} {state}>"
