"""The clients: ``OpenReward`` and ``AsyncOpenReward``, drop-ins for the OpenReward SDK's rollout API.

The two are siblings over shared parts, as httpx's ``Client`` and ``AsyncClient`` are:
:class:`ClientBase` (store, readers, upload) and :class:`Recording` (the writer, the open
rollouts, closing) do the work; the sync and async classes only decide whether flushing
and closing block or return something to await.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from ._future import Future
from .errors import ClientClosedError, StoreWriteError
from .limits import MAX_NAME_CHARS
from .messages import RunInfo
from .rollout import Rollout, RolloutConfig, check_metadata, info_dict
from .safe_text import terminal_line
from .sigterm import SIGTERM_FLUSH_TIMEOUT_S, save_on_sigterm
from .store.base import Store
from .store.location import StoreSpec, open_store
from .store.ops import EndOp, RolloutOp, dumps
from .store.writer import EXIT_FLUSH_TIMEOUT_S, Writer, rescue_all

if TYPE_CHECKING:
    from .annotations import AnnotationsAPI
    from .capture import Capture
    from .records import RolloutRecord, RolloutsAPI, RunsAPI
    from .upload.background import BackgroundUpload
    from .upload.model import SyncResult
    from .upload.remote import RemoteAPI
    from .upload.target import Target

_LIVE: weakref.WeakSet[Recording] = weakref.WeakSet()


def _optional_name(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, got {type(value).__name__}: {value!r:.60}")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"{name} is {len(value):,} characters long; a store takes at most {MAX_NAME_CHARS:,}")
    return value


def merge_run_info(base: dict[str, Any] | None, override: dict[str, Any] | None) -> dict[str, Any] | None:
    """Client-level run_info with a rollout's override on top (set fields of the override win)."""
    if base is None:
        return override
    if override is None:
        return dict(base)
    return {**base, **override}


class Recording:
    """What ``client.rollout`` does, sync or async: one background writer, the open rollouts, closing.

    Rollouts log through it (:attr:`writer`), and tell it when they end (:meth:`forget`).
    """

    def __init__(self, client: ClientBase) -> None:
        self._client = client
        self.store = client.store
        self.writer = Writer(self.store)
        self.closed = False
        self._open: dict[str, Rollout] = {}
        self._open_lock = threading.Lock()
        self._uploader = _background_upload(client)
        _LIVE.add(self)
        save_on_sigterm(_save_all_on_sigterm)

    @property
    def keep_raw(self) -> bool:
        """Whether provider events keep their raw payload (the client's ``keep_raw``)."""
        return self._client.keep_raw

    def create(self, config: RolloutConfig, print_messages: bool) -> Rollout:
        """Queue a new rollout's creation; returns the :class:`Rollout` to log into."""
        if self.closed:
            raise ClientClosedError("cannot create a rollout: this client has been closed")
        rollout = Rollout(self, str(uuid.uuid4()), config, print_messages)
        op = RolloutOp(
            rollout.id,
            config.run_name,
            config.rollout_name,
            config.environment,
            config.variant,
            config.split,
            dumps(config.metadata),
            dumps(config.task_spec),
            dumps(config.run_info),
            None,
            time.time(),
        )
        with self._open_lock:
            self._open[rollout.id] = rollout
        self.writer.put(op)
        if self._uploader is not None:
            self._uploader.track(rollout.id)
        if print_messages:
            where = terminal_line(self.store.url)
            print(f"openreward_nb: recording rollout {rollout.id} (run {config.run_name!r}) into {where}")
        return rollout

    def forget(self, rollout_id: str) -> None:
        """A rollout ended: closing need not end it."""
        with self._open_lock:
            self._open.pop(rollout_id, None)

    def read(self, rollout_id: str) -> RolloutRecord:
        """What the store holds for one rollout now."""
        from .records import RolloutsAPI

        return RolloutsAPI(self.store).get(rollout_id)

    def flush_for_read(self) -> None:
        """Before a read: write what is queued, so the read sees it. A store that cannot take it
        now (read-only, locked) is read as it is, with a warning."""
        if self.closed or not self.writer.pending:
            return
        try:
            self.writer.flush()
        except StoreWriteError as exc:
            warnings.warn(
                f"openreward_nb: reading the store as it is; {self.writer.pending} logged items are not in it "
                f"yet: {exc}",
                RuntimeWarning,
                stacklevel=3,
            )

    def begin_close(self) -> Future:
        """End the rollouts still open, flush (and upload, with ``upload=True``); resolves when done.

        The writer then stops, with its idle-time work: a closed client costs nothing.
        """
        if not self.closed:
            self.closed = True
            with self._open_lock:
                still_open = list(self._open.values())
                self._open.clear()
            for rollout in still_open:
                rollout.finish()
        flushed = self.writer.close_future()
        return flushed if self._uploader is None else self._uploader.close_after(flushed)

    def end_on_signal(self, reason: str) -> Future:
        """From a signal handler: end the open rollouts as failed with ``reason``; the future resolves once
        what is queued is written. Takes no lock the interrupted code may hold, and never waits for room;
        what the upload has not sent stays queued in the store for a later sync."""
        self.closed = True
        ended_at = time.time()
        for rollout_id in self._open.copy():  # copied in one step: no lock, and no change while iterating
            self.writer.put_last(EndOp(rollout_id, "failed", reason, ended_at))
        return self.writer.flush_future()

    def close_at_exit(self) -> None:
        """At interpreter exit: close; what cannot be written goes to a rescue file (:mod:`.store.writer`)."""
        try:
            self.begin_close().result(EXIT_FLUSH_TIMEOUT_S)
        except Exception as exc:
            if not self.writer.pending:  # the events are in; the upload is what failed
                print(f"openreward_nb: at exit: {terminal_line(exc, 500)}", file=sys.stderr)


class _RolloutAPIBase:
    """What ``client.rollout`` offers in both clients: create rollouts and capture SDK calls into them."""

    def __init__(self, recording: Recording, client: ClientBase) -> None:
        self._recording = recording
        self._client = client

    @property
    def writer(self) -> Writer:
        """The background writer (its ``pending`` count, its ``error``, items the store ``rejected``)."""
        return self._recording.writer

    def create(
        self,
        run_name: str,
        rollout_name: str | None = None,
        environment: str | None = None,
        variant: str | None = None,
        split: str | None = None,
        metadata: dict[str, Any] | None = None,
        task_spec: dict[str, Any] | None = None,
        run_info: RunInfo | None = None,
        print_messages: bool = False,
    ) -> Rollout:
        """Start recording a rollout in run ``run_name``; returns the :class:`Rollout` to log into."""
        if not isinstance(run_name, str) or not run_name.strip():
            raise ValueError(f"run_name must be a non-empty string, got {run_name!r}")
        config = RolloutConfig(
            run_name=_optional_name(run_name, "run_name") or run_name,
            rollout_name=_optional_name(rollout_name, "rollout_name"),
            environment=_optional_name(environment, "environment"),
            variant=_optional_name(variant, "variant"),
            split=_optional_name(split, "split"),
            metadata=check_metadata(metadata, "metadata"),
            task_spec=check_metadata(task_spec, "task_spec"),
            run_info=merge_run_info(info_dict(self._client.run_info, "run_info"), info_dict(run_info, "run_info")),
        )
        return self._recording.create(config, bool(print_messages))

    def capture(self, rollout: Rollout) -> Capture:
        """Record every openai / anthropic / google-genai call made inside into ``rollout``.

        ``with client.rollout.capture(rollout): ...`` (or ``async with``), or as a decorator
        of a sync or async function. Re-sent chat history is stored once; an explicit
        ``rollout.log_*`` of a captured message attaches its reward to that event.
        """
        from .capture import Capture

        return Capture(rollout)


class RolloutAPI(_RolloutAPIBase):
    """``client.rollout``: create rollouts, flush and close. Writes go through one background writer."""

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything logged so far is in the store; raises StoreWriteError if it cannot be written."""
        self._recording.writer.flush(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Finish open rollouts and flush everything (and upload it, with ``upload=True``).

        Safe to call twice; also runs at interpreter exit.
        """
        self._recording.begin_close().result(timeout)

    def __enter__(self) -> RolloutAPI:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncRolloutAPI(_RolloutAPIBase):
    """``client.rollout`` of :class:`AsyncOpenReward`: ``flush()`` and ``close()`` can be awaited.

    Both start their work at once, so a script that calls ``close()`` without ``await``
    still has everything written (at the latest when the interpreter exits).
    """

    def flush(self, timeout: float | None = None) -> Completion:
        """Awaitable that resolves once everything logged so far is in the store."""
        return Completion(self._recording.writer.flush_future())

    def close(self, timeout: float | None = None) -> Completion:
        """Finish open rollouts and flush; awaitable."""
        return Completion(self._recording.begin_close())


class Completion:
    """A writer flush that can be awaited (without blocking the event loop) or waited on."""

    def __init__(self, future: Future) -> None:
        self._future = future

    def __await__(self) -> Generator[Any, None, None]:
        import asyncio

        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()

        def transfer(done: Future) -> None:
            if waiter.done():
                return
            error = done.exception()
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(None)

        def on_done(done: Future) -> None:
            loop.call_soon_threadsafe(transfer, done)

        self._future.add_done_callback(on_done)
        return waiter.__await__()

    def result(self, timeout: float | None = None) -> None:
        """Block until done (raises the write error, if any)."""
        self._future.result(timeout)

    def done(self) -> bool:
        return self._future.done()


def _target(client: ClientBase) -> Target:
    from .upload.target import Target

    return Target.resolve(api_key=client.api_key, base_url=client.base_url)


def _background_upload(client: ClientBase) -> BackgroundUpload | None:
    """The uploader thread of ``upload=True`` (None without it)."""
    if not client.upload:
        return None
    try:
        from .upload.background import BackgroundUpload
    except ImportError as exc:
        raise ImportError(f"upload=True needs httpx2: pip install 'openreward-nb[sync]' ({exc})") from exc
    return BackgroundUpload(client.store, _target(client))


class ClientBase:
    """What both clients share: the store, the readers, run_info, upload and the SDK's environments
    (the arguments are :class:`OpenReward`'s)."""

    #: the OpenReward SDK class whose ``environments`` this client offers
    _sdk_class_name: ClassVar[str]

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        run_info: RunInfo | None = None,
        *,
        store: StoreSpec = None,
        keep_raw: bool = True,
        upload: bool | None = None,
    ) -> None:
        self.api_key = api_key or os.getenv("OPENREWARD_API_KEY", "")
        self.base_url = base_url or os.getenv("OPENREWARD_URL", "https://openreward.ai")
        self._store_spec = store
        #: store each provider event's raw payload (log_openai_response & co.)
        self.keep_raw = bool(keep_raw)
        self._store: Store | None = None
        self._run_info = run_info
        info_dict(run_info, "run_info")  # validate early
        self._recording: Recording | None = None
        self._sdk_client: Any = None
        self._lock = threading.Lock()
        from .upload.target import upload_enabled

        self.upload = upload_enabled(upload)

    @property
    def store(self) -> Store:
        """The :class:`~openreward_nb.store.Store` this client records into (opened on first use)."""
        if self._store is None:
            self._store = open_store(self._store_spec)
        return self._store

    @property
    def run_info(self) -> RunInfo | None:
        """Run-level info merged into every rollout created afterwards."""
        return self._run_info

    @run_info.setter
    def run_info(self, value: RunInfo | None) -> None:
        info_dict(value, "run_info")
        self._run_info = value

    def _started_recording(self) -> Recording:
        """The recording side (writer, open rollouts), started on first use."""
        if self._recording is None:
            with self._lock:
                if self._recording is None:
                    self._recording = Recording(self)
        return self._recording

    @property
    def runs(self) -> RunsAPI:
        """Read recorded runs: ``.list()``, ``.get(name)``."""
        from .records import RunsAPI

        return RunsAPI(self._read_store(), self._flush_for_read)

    @property
    def rollouts(self) -> RolloutsAPI:
        """Read recorded rollouts: ``.get(rollout_id)``, ``.iter(...)``."""
        from .records import RolloutsAPI

        return RolloutsAPI(self._read_store(), self._flush_for_read)

    @property
    def annotations(self) -> AnnotationsAPI:
        """Labels, notes and scores people gave rollouts: ``.list(...)``, ``.edit(id)``, ``.remove(id)``, label sets."""
        from .annotations import AnnotationsAPI

        return AnnotationsAPI(self._read_store(), self._flush_for_read)

    def _read_store(self) -> Store:
        """The store reads go to: the one this client records into once open, else the existing one, read-only."""
        return self._store if self._store is not None else open_store(self._store_spec, read_only=True)

    def _flush_for_read(self) -> None:
        if self._recording is not None:
            self._recording.flush_for_read()

    def search(self, query: str, **options: Any) -> Any:
        """:func:`openreward_nb.search` in this client's store (what it logged so far is written first):
        a DataFrame of the events of every rollout whose text holds ``query``, one row each."""
        from .fulltext.frame import search

        self._flush_for_read()
        return search(query, store=self._read_store(), **options)

    def sync(
        self,
        *,
        run: str | None = None,
        rollout_ids: list[str] | None = None,
        retry_failed: bool = False,
        give_up_after: float | None = 30.0,
        progress: bool | None = None,
    ) -> SyncResult:
        """Upload recorded rollouts (all, one ``run``, or these ``rollout_ids``) to the OpenReward API now.

        Sends what has not been sent yet, as the OpenReward SDK would have (``POST /v1/rollouts``
        to ``$OPENREWARD_API_URL``, else the ``api.`` host of ``base_url``, with ``api_key``).
        Returns a ``SyncResult`` with ``sent``, ``pending`` and ``failed`` event counts and the
        reasons; shows a progress bar in notebooks and terminals (``progress=False``: none).
        Stops after ``give_up_after`` seconds without progress; the rest stays queued.
        ``retry_failed`` gives rollouts the server refused another try. Annotations are
        not uploaded (the OpenReward wire format has no place for them): they stay local.
        """
        from .upload.foreground import upload_now

        self._flush_for_read()
        return upload_now(
            self.store,
            _target(self),
            run=run,
            rollout_ids=rollout_ids,
            retry_failed=retry_failed,
            give_up_after=give_up_after,
            progress=progress,
        )

    @property
    def remote(self) -> RemoteAPI:
        """Runs and rollouts on the OpenReward API as DataFrames: ``.runs(search=...)``, ``.rollouts(run_id)``."""
        from .upload.remote import RemoteAPI

        return RemoteAPI(_target(self))

    @property
    def environments(self) -> Any:
        """The OpenReward SDK's environments API (needs ``pip install openreward``)."""
        return self._sdk().environments

    def _sdk(self) -> Any:
        if self._sdk_client is None:
            try:
                import openreward
            except ImportError as exc:
                raise ImportError("client.environments comes from the OpenReward SDK: pip install openreward") from exc
            sdk_class = getattr(openreward, self._sdk_class_name)
            self._sdk_client = sdk_class(api_key=self.api_key or None, base_url=self.base_url)
        return self._sdk_client

    def _close_sdk(self) -> None:
        if self._sdk_client is not None and hasattr(self._sdk_client, "close"):
            self._sdk_client.close()

    def __repr__(self) -> str:
        where = self._store.url if self._store is not None else "(store not opened yet)"
        return f"<{type(self).__name__} store={where}>"


class OpenReward(ClientBase):
    """Record rollouts into a local store (SQLite by default), with the OpenReward SDK's rollout API.

    ``store``: a file path or ``sqlite:///`` / ``postgresql://`` URL; default
    ``$OPENREWARD_NB_STORE``, else ``.openreward_nb/store.sqlite`` under the working directory.
    ``keep_raw``: keep the raw provider payload of events logged from provider objects.
    ``upload``: also upload what is recorded to the OpenReward API, in the background
    (default ``$OPENREWARD_NB_UPLOAD``); see :meth:`sync`.
    """

    _sdk_class_name = "OpenReward"
    _rollout_api: RolloutAPI | None = None

    @property
    def rollout(self) -> RolloutAPI:
        """Create, flush and close rollouts."""
        if self._rollout_api is None:
            recording = self._started_recording()
            with self._lock:
                if self._rollout_api is None:
                    self._rollout_api = RolloutAPI(recording, self)
        return self._rollout_api

    def close(self) -> None:
        """Finish open rollouts, flush everything to the store and release SDK resources."""
        if self._recording is not None:
            self._recording.begin_close().result()
        self._close_sdk()

    def __enter__(self) -> OpenReward:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncOpenReward(ClientBase):
    """Like :class:`OpenReward`, but ``await client.rollout.flush()`` / ``close()`` never block the event loop."""

    _sdk_class_name = "AsyncOpenReward"
    _rollout_api: AsyncRolloutAPI | None = None

    @property
    def rollout(self) -> AsyncRolloutAPI:
        """Create rollouts; ``flush()`` and ``close()`` return awaitables."""
        if self._rollout_api is None:
            recording = self._started_recording()
            with self._lock:
                if self._rollout_api is None:
                    self._rollout_api = AsyncRolloutAPI(recording, self)
        return self._rollout_api

    def close(self) -> Completion:
        """Finish open rollouts and flush; awaitable."""
        if self._recording is None:
            done = Future()
            done.set_result(None)
            return Completion(done)
        return Completion(self._recording.begin_close())

    async def __aenter__(self) -> AsyncOpenReward:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _close_all_at_exit() -> None:
    for recording in list(_LIVE):
        recording.close_at_exit()


def _save_all_on_sigterm(reason: str) -> None:
    """Write what every client holds within SIGTERM_FLUSH_TIMEOUT_S; what is left goes to rescue files."""
    written = [recording.end_on_signal(reason) for recording in list(_LIVE)]
    deadline = time.monotonic() + SIGTERM_FLUSH_TIMEOUT_S
    for future in written:
        try:
            future.result(max(0.0, deadline - time.monotonic()))
        except Exception:  # not written in time, or the store is failing: rescued below
            pass
    rescue_all(flush_timeout=0)


atexit.register(_close_all_at_exit)
