"""The clients: ``OpenReward`` and ``AsyncOpenReward``, drop-ins for the OpenReward SDK's rollout API."""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ._future import Future
from .errors import ClientClosedError
from .messages import RunInfo
from .rollout import Rollout, RolloutConfig, check_metadata, info_dict
from .store.location import StoreSpec, open_store
from .store.ops import OP_END, OP_ROLLOUT, dumps
from .store.writer import Writer

if TYPE_CHECKING:
    from .records import RolloutsAPI, RunsAPI
    from .store.base import Store
    from .upload.model import SyncResult
    from .upload.remote import RemoteAPI

_LIVE_APIS: weakref.WeakSet[RolloutAPI] = weakref.WeakSet()
EXIT_FLUSH_TIMEOUT_S = 30.0


def _optional_str(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a string or None, got {type(value).__name__}: {value!r:.60}")


def merge_run_info(base: dict | None, override: dict | None) -> dict | None:
    """Client-level run_info with a rollout's override on top (set fields of the override win)."""
    if base is None:
        return override
    if override is None:
        return dict(base)
    return {**base, **override}


class RolloutAPI:
    """``client.rollout``: create rollouts, flush and close. Writes go through one background writer."""

    def __init__(self, client: OpenReward) -> None:
        self._client = client
        self._writer = Writer(client.store)
        self._closed = False
        self._open: dict[str, Rollout] = {}
        self._open_lock = threading.Lock()
        self._uploader = client._background_upload()
        _LIVE_APIS.add(self)

    @property
    def keep_raw(self) -> bool:
        """The client's ``keep_raw``, read at each log call (it may be switched at any time)."""
        return self._client.keep_raw

    def create(
        self,
        run_name: str,
        rollout_name: str | None = None,
        environment: str | None = None,
        variant: str | None = None,
        split: str | None = None,
        metadata: dict | None = None,
        task_spec: dict[str, Any] | None = None,
        run_info: RunInfo | None = None,
        print_messages: bool = False,
    ) -> Rollout:
        """Start recording a rollout in run ``run_name``; returns the :class:`Rollout` to log into."""
        if self._closed:
            raise ClientClosedError("cannot create a rollout: this client has been closed")
        if not isinstance(run_name, str) or not run_name.strip():
            raise ValueError(f"run_name must be a non-empty string, got {run_name!r}")
        config = RolloutConfig(
            run_name=run_name,
            rollout_name=_optional_str(rollout_name, "rollout_name"),
            environment=_optional_str(environment, "environment"),
            variant=_optional_str(variant, "variant"),
            split=_optional_str(split, "split"),
            metadata=check_metadata(metadata, "metadata"),
            task_spec=check_metadata(task_spec, "task_spec"),
            run_info=merge_run_info(info_dict(self._client.run_info, "run_info"), info_dict(run_info, "run_info")),
        )
        import uuid

        rollout = Rollout(self, str(uuid.uuid4()), config, bool(print_messages))
        row = (
            rollout.id,
            run_name,
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
        self._writer.put((OP_ROLLOUT, run_name, row))
        if self._uploader is not None:
            self._uploader.track(rollout.id)
        if print_messages:
            print(f"openreward_nb: recording rollout {rollout.id} (run {run_name!r}) into {self._client.store.url}")
        return rollout

    def capture(self, rollout: Rollout) -> Any:
        """Record every openai / anthropic / google-genai call made inside into ``rollout``.

        ``with client.rollout.capture(rollout): ...`` (or ``async with``), or as a decorator
        of a sync or async function. Re-sent chat history is stored once; an explicit
        ``rollout.log_*`` of a captured message attaches its reward to that event.
        """
        from .capture import Capture

        return Capture(rollout)

    def _forget(self, rollout_id: str) -> None:
        with self._open_lock:
            self._open.pop(rollout_id, None)

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything logged so far is in the store; raises StoreWriteError if it cannot be written."""
        self._writer.flush(timeout)

    def _begin_close(self) -> Future:
        if not self._closed:
            self._closed = True
            with self._open_lock:
                still_open = list(self._open.values())
                self._open.clear()
            now = time.time()
            for rollout in still_open:
                with rollout._lock:
                    if not rollout._ended:
                        rollout._ended = True
                        self._writer.put((OP_END, rollout.id, "finished", None, now))
        flushed = self._writer.flush_future()
        return flushed if self._uploader is None else self._uploader.close_after(flushed)

    def close(self, timeout: float | None = None) -> None:
        """Finish open rollouts and flush everything (and upload it, with ``upload=True``).

        Safe to call twice; also runs at interpreter exit.
        """
        self._begin_close().result(timeout)

    def __enter__(self) -> RolloutAPI:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncRolloutAPI(RolloutAPI):
    """``client.rollout`` of :class:`AsyncOpenReward`: ``flush()`` and ``close()`` can be awaited.

    Both start their work at once, so a script that calls ``close()`` without ``await``
    still has everything written (at the latest when the interpreter exits).
    """

    def flush(self, timeout: float | None = None) -> Completion:  # type: ignore[override]
        """Awaitable that resolves once everything logged so far is in the store."""
        return Completion(self._writer.flush_future())

    def close(self, timeout: float | None = None) -> Completion:  # type: ignore[override]
        """Finish open rollouts and flush; awaitable."""
        return Completion(self._begin_close())


class Completion:
    """A writer flush that can be awaited (without blocking the event loop) or waited on."""

    def __init__(self, future: Future) -> None:
        self._future = future

    def __await__(self) -> Generator[Any, None, None]:
        import asyncio

        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def transfer(done: Future) -> None:
            if waiter.done():
                return
            error = done.exception()
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(None)

        self._future.add_done_callback(lambda done: loop.call_soon_threadsafe(transfer, done))
        return waiter.__await__()

    def result(self, timeout: float | None = None) -> None:
        """Block until done (raises the write error, if any)."""
        self._future.result(timeout)

    def done(self) -> bool:
        return self._future.done()


class OpenReward:
    """Record rollouts into a local store (SQLite by default), with the OpenReward SDK's rollout API.

    ``store``: a file path or ``sqlite:///`` / ``postgresql://`` URL; default
    ``$OPENREWARD_NB_STORE``, else ``.openreward_nb/store.sqlite`` under the working directory.
    ``keep_raw``: keep the raw provider payload of events logged from provider objects.
    ``upload``: also upload what is recorded to the OpenReward API, in the background
    (default ``$OPENREWARD_NB_UPLOAD``); see :meth:`sync`.
    """

    _rollout_api_class = RolloutAPI
    _sdk_class_name = "OpenReward"

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
        self.keep_raw = bool(keep_raw)  # store each provider event's raw payload (log_openai_response & co.)
        self._store: Store | None = None
        self._run_info = run_info
        info_dict(run_info, "run_info")  # validate early
        self._rollout_api: RolloutAPI | None = None
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

    @property
    def rollout(self) -> RolloutAPI:
        """Create, flush and close rollouts."""
        if self._rollout_api is None:
            with self._lock:
                if self._rollout_api is None:
                    self._rollout_api = self._rollout_api_class(self)
        return self._rollout_api

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

    def _read_store(self) -> Store:
        """The store reads go to: the one this client records into once open, else the existing one, read-only."""
        return self._store if self._store is not None else open_store(self._store_spec, read_only=True)

    def _flush_for_read(self) -> None:
        api = self._rollout_api
        if api is not None and not api._closed and api._writer.pending:
            api._writer.flush()

    def _target(self) -> Any:
        from .upload.target import Target

        return Target.resolve(api_key=self.api_key, base_url=self.base_url)

    def _background_upload(self) -> Any:
        """The uploader thread of ``upload=True`` (None without it)."""
        if not self.upload:
            return None
        try:
            from .upload.background import BackgroundUpload
        except ImportError as exc:
            raise ImportError(f"upload=True needs httpx2: pip install 'openreward-nb[sync]' ({exc})") from exc
        return BackgroundUpload(self.store, self._target())

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
        ``retry_failed`` gives rollouts the server refused another try.
        """
        from .upload.foreground import upload_now

        self._flush_for_read()
        return upload_now(
            self.store,
            self._target(),
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

        return RemoteAPI(self._target())

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

    def close(self) -> None:
        """Finish open rollouts, flush everything to the store and release SDK resources."""
        if self._rollout_api is not None:
            self._rollout_api.close()
        if self._sdk_client is not None and hasattr(self._sdk_client, "close"):
            self._sdk_client.close()

    def __enter__(self) -> OpenReward:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self._store.url if self._store is not None else "(store not opened yet)"
        return f"<{type(self).__name__} store={where}>"


class AsyncOpenReward(OpenReward):
    """Like :class:`OpenReward`, but ``await client.rollout.flush()`` / ``close()`` never block the event loop."""

    _rollout_api_class = AsyncRolloutAPI
    _sdk_class_name = "AsyncOpenReward"

    @property
    def rollout(self) -> AsyncRolloutAPI:  # type: ignore[override]
        return super().rollout  # type: ignore[return-value]

    def close(self) -> Completion:  # type: ignore[override]
        """Finish open rollouts and flush; awaitable."""
        api = self._rollout_api
        if api is None:
            done: Future = Future()
            done.set_result(None)
            return Completion(done)
        return api.close()


def _close_all_at_exit() -> None:
    for api in list(_LIVE_APIS):
        try:
            api._begin_close().result(EXIT_FLUSH_TIMEOUT_S)
        except Exception as exc:
            print(f"openreward_nb: could not write everything to {api._client.store.url} at exit: {exc}")


atexit.register(_close_all_at_exit)
