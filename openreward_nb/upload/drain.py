"""One run of an upload: rounds of pending work from the store, sent as concurrent batches.

Each round reads some pending work, sends the rollouts' starts first (the API needs a
rollout before its messages), then their rollout_info updates and events, in lanes that
run side by side (a rollout stays in one lane, so its events arrive in order). Every
answered batch moves the cursors in the store at once, so an interrupted upload resumes
where it stopped. Retryable failures back off and retry until ``give_up_after`` seconds
pass without progress; what is left stays queued.

Nothing waits on a peer without bound: each request has an overall deadline
(``UploadOptions.timeout``), ``stop`` lets the requests in flight finish for at most
``stop_grace`` seconds, and ``deadline`` (close's bound) ends the whole run at a fixed
time, whatever the server does. Near the deadline no request starts that the slowest
answer seen so far says would not finish: a request cut short may still be stored by the
server, and its events would then go twice (with the same ids) in a later sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

from ..safe_text import terminal_line
from . import answers, transport
from .batches import INFO, START, Batch, BatchStream, Chunk, Ledger, Work, pack
from .cursors import Commit, Cursor, UploadState
from .model import UploadOptions
from .target import Target
from .transport import Fatal, NoDocument, Refused, Retryable
from .wire import MessageEncoder, encode, start_event, update_event

T = TypeVar("T")


class GiveUp(Exception):
    """No progress for ``give_up_after`` seconds, or the deadline passed: what is left stays queued."""


class _Stopped(Exception):
    """Asked to stop while a request was failing: end quietly, what is left stays queued."""


#: how often the watch over a run looks at ``stop`` and the deadline
_WATCH_S = 0.05
#: seconds the requests in flight get to finish once ``stop`` is set, before they are cut short
STOP_GRACE_S = 1.0
#: stored events read at a time while building batches
PAGE_ROWS = 128
#: the end of a run of events when nothing bounds it (an index past any rollout's)
_NO_END = 2**62


class Pace:
    """The slowest answer to an upload seen so far, kept across the runs of one uploader."""

    def __init__(self) -> None:
        self.slowest_s = 0.0

    def answered(self, seconds: float) -> None:
        self.slowest_s = max(self.slowest_s, seconds)


class Drain:
    """One run of the upload: its HTTP client, counters and the problems met."""

    def __init__(
        self,
        state: UploadState,
        target: Target,
        options: UploadOptions,
        conn: Any,
        env_ids: dict[tuple[str, str | None], tuple[str | None, str | None]],
        give_up_after: float | None,
        stop: threading.Event,
        on_progress: Callable[[int], None] | None,
        settled_before: float | None,
        deadline: float | None = None,
        queue_new: Callable[[Any], None] | None = None,
        stop_grace: float = STOP_GRACE_S,
        pace: Pace | None = None,
    ) -> None:
        self.target = target
        self.opts = options
        self.state = state
        self.conn = conn
        self.env_ids = env_ids
        self.give_up_after = give_up_after
        self.stop = stop
        self.on_progress = on_progress
        self.sent = 0
        self.errors: list[str] = []
        self.last_progress = time.monotonic()
        self.seen: dict[str, tuple[Any, ...]] = {}
        self.skip: set[str] = set()
        self.http: Any = None
        self.ledger = Ledger()
        self.settled_before = settled_before
        self.deadline = deadline  # time.monotonic() at which the run ends, whatever is in flight
        #: a batch was left unsent because the deadline was nearer than the slowest answer seen
        self.out_of_time = False
        self.url = terminal_line(target.url, 200)
        self.queue_new = queue_new
        self.stop_grace = stop_grace
        self.pace = pace or Pace()

    async def run(self) -> None:
        """Send what is pending; returns when done or stopped, GiveUp at the deadline or without progress."""
        cursors = self._pending()
        if not cursors:
            return
        async with transport.make_client(
            self.target.url, self.target.api_key, self.opts.concurrency, self.opts.timeout
        ) as http:
            self.http = http
            work = asyncio.create_task(self._rounds(cursors))
            stopped_at: float | None = None
            while not work.done():
                await asyncio.wait({work}, timeout=_WATCH_S)
                now = time.monotonic()
                if stopped_at is None and self.stop.is_set():
                    stopped_at = now  # no new batch starts; those in flight get a moment to finish
                late = self.deadline is not None and now >= self.deadline
                if not work.done() and (late or (stopped_at is not None and now - stopped_at >= self.stop_grace)):
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    if late:
                        raise GiveUp(f"the upload to {self.url} stopped at its time limit; the rest stays queued")
                    return
            with contextlib.suppress(_Stopped):
                work.result()

    async def _rounds(self, cursors: list[Cursor]) -> None:
        while cursors and not self.stop.is_set():
            await self.round(cursors)
            if self.out_of_time:  # what was not sent is not stuck: another round would call it so
                raise GiveUp(f"the upload to {self.url} stopped at its time limit; the rest stays queued")
            cursors = self._pending()

    def _pending(self) -> list[Cursor]:
        if self.queue_new is not None:
            self.queue_new(self.conn)
        return [c for c in self.state.pending(self.conn, 2000) if c.rollout_id not in self.skip]

    def _fresh(self, cursor: Cursor) -> bool:
        """False for a rollout that showed the same state in an earlier round (it is not moving: skip it now)."""
        rid = cursor.rollout_id
        if self.seen.get(rid) == cursor.state():
            self.skip.add(rid)
            self.errors.append(
                f"rollout {terminal_line(rid, 80)}: its upload made no progress (the store counts {cursor.rollout['n_events']} "
                f"events, {cursor.n_sent} sent); skipped in this sync"
            )
            return False
        self.seen[rid] = cursor.state()
        return True

    async def environment_ids(self, environment: str | None, variant: str | None) -> tuple[str | None, str | None]:
        """The API's ids of an ``owner/name`` environment and its variant, looked up once, as the SDK does."""
        if not environment or "/" not in environment:
            return None, None
        key = (environment, variant)
        if key not in self.env_ids:
            owner, name = environment.split("/", 1)
            path = f"/v1/environments/{quote(owner, safe='')}/{quote(name)}"
            try:  # an environment or variant the API does not know is sent without its id, as the SDK does
                found = await self._document(path)
                env_id = None if found is None else answers.environment_id(path, found)
                variant_id = None
                if variant:
                    listed = await self._document(path + "/variants")
                    variant_id = None if listed is None else answers.variant_id(path + "/variants", listed, variant)
            except answers.BadAnswer as exc:
                raise Fatal(str(exc)) from None
            self.env_ids[key] = (env_id, variant_id)
        return self.env_ids[key]

    async def _document(self, path: str) -> Any:
        """A JSON document from the API, None when it has none (4xx), as the SDK treats a failed look-up."""
        try:
            return await self.retrying(lambda: transport.get_json(self.http, path, self.opts.timeout))
        except NoDocument:
            return None

    # --- one round ---------------------------------------------------------------------
    async def round(self, cursors: list[Cursor]) -> None:
        opts = self.opts
        budget = opts.round_events
        starts: list[Chunk] = []
        work: list[Work] = []
        for cursor in cursors:
            if budget <= 0:
                break
            if not self._fresh(cursor):
                continue
            rid = cursor.rollout_id
            env_id, variant_id = await self.environment_ids(cursor.rollout["environment"], cursor.rollout["variant"])
            if not cursor.start_sent:
                starts.append(Chunk(rid, START, [encode(start_event(cursor.rollout, env_id, variant_id))]))
            info = cursor.info_due
            update = None if info is None else Chunk(rid, INFO, [encode(update_event(rid, info))], info=info)
            start, count, last, sent_base = self._span(cursor, budget)
            budget -= count
            if update is not None or count:
                before = (cursor.next_idx, cursor.n_sent)
                rows = self._stored(rid, start, last)
                work.append(Work(rid, update, count, rows, MessageEncoder(rid, env_id), before, sent_base))
        lanes = opts.concurrency
        start_batches = pack(starts, opts.batch_events, opts.batch_bytes)
        refused = await self.send([iter(start_batches[i::lanes]) for i in range(lanes)])
        self.ledger = Ledger()
        todo = _lanes([w for w in work if w.rollout_id not in refused], lanes)
        await self.send([BatchStream(lane, opts.batch_events, opts.batch_bytes, self.ledger) for lane in todo])

    def _span(self, cursor: Cursor, budget: int) -> tuple[int, int, int, int]:
        """(first index, how many, last index, sent count they start from) of the cursor's next stored events.

        From index 0 again (same ids) when events arrived below the cursor after it passed.
        Counted in the store's index: the events are read later, a page at a time (:meth:`_stored`).
        """
        rid = cursor.rollout_id
        start, sent_base = cursor.next_idx, cursor.n_sent
        if sent_base >= cursor.rollout["n_events"]:
            return start, 0, -1, sent_base
        if start > 0 and self.state.first_index(self.conn, rid, start) is None:
            start, sent_base = 0, 0
        end = _NO_END
        if self.settled_before is not None and cursor.rollout["status"] == "running":
            young = self.state.first_young(self.conn, rid, start, budget, self.settled_before)
            if young is not None:  # the rest is left to settle: not stuck, just not yet
                end = young
                self.skip.add(rid)
        count, last = self.state.window(self.conn, rid, start, end, budget)
        return start, count, last, sent_base

    def _stored(self, rid: str, start: int, last: int) -> Iterator[tuple[Any, ...]]:
        """A rollout's stored events from ``start`` to ``last``, read a page at a time as its batches are built,
        each let go once encoded."""
        while start <= last:
            page = self.state.events(self.conn, rid, start, last, PAGE_ROWS)
            if not page:
                return
            start = page[-1][0] + 1
            page.reverse()
            while page:
                yield page.pop()

    # --- sending -------------------------------------------------------------------------
    async def send(self, lanes: list[Iterator[Batch]]) -> set[str]:
        """Send each lane's batches in order, the lanes at the same time; the ids of rollouts refused.

        A batch is built (its events encoded) only when its sender is free, so encoding
        overlaps the server's work on the batches in flight.
        """
        refused: set[str] = set()

        async def worker(batches: Iterator[Batch]) -> None:
            for batch in batches:
                if self.stop.is_set():
                    return
                if not self._time_for_one_more():
                    self.out_of_time = True  # the answers in flight are still awaited (cut short, they could go twice)
                    return
                await self.deliver(batch, refused)

        tasks = [asyncio.create_task(worker(lane)) for lane in lanes]
        if not tasks:
            return refused
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                task.cancel()
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        return refused

    def _time_for_one_more(self) -> bool:
        """False when the deadline is nearer than the slowest answer seen: leave the rest for later."""
        return self.deadline is None or time.monotonic() + self.pace.slowest_s < self.deadline

    async def _post(self, body: bytes) -> None:
        started = time.monotonic()
        await transport.post(self.http, body, self.opts.timeout)
        self.pace.answered(time.monotonic() - started)

    async def deliver(self, batch: Batch, refused: set[str]) -> None:
        """Send one batch until it is answered; a refused batch is cut smaller to find the rollout at fault."""
        try:
            await self.retrying(lambda: self._post(batch.body()))
        except Refused as exc:
            parts = batch.split() if exc.status == 413 or len(batch.chunks) > 1 else []
            if len(parts) == 2 and len(batch.chunks) == 1:
                self.ledger.replace(batch.chunks[0], [p.chunks[0] for p in parts])
            for part in parts:
                await self.deliver(part, refused)
            if not parts:
                self._refused(batch, exc, refused)
            return
        self.state.commit(
            self.conn,
            Commit(
                [c.rollout_id for c in batch.chunks if c.kind == START],
                [(c.rollout_id, c.info) for c in batch.chunks if c.kind == INFO and c.info is not None],
                self.ledger.answered(batch.chunks),
                [],
            ),
        )
        self.sent += batch.n_events
        self.last_progress = time.monotonic()
        if self.on_progress is not None:
            self.on_progress(self.sent)

    def _refused(self, batch: Batch, exc: Refused, refused: set[str]) -> None:
        failures = []
        for rid in dict.fromkeys(c.rollout_id for c in batch.chunks):
            refused.add(rid)
            self.ledger.drop(rid)
            failures.append((rid, str(exc)))
            self.errors.append(
                f"rollout {terminal_line(rid, 80)}: the server refused it ({exc}); it stays in the store"
            )
        self.state.commit(self.conn, Commit([], [], [], failures))

    async def retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run ``attempt`` until it does not raise Retryable; GiveUp when there has been no progress for too long.

        An attempt that fails after its own deadline may already be past ``give_up_after``:
        then it is not tried again (the caller's bound is the give-up time plus one deadline).
        """
        tries = 0
        while True:
            try:
                return await attempt()
            except Retryable as exc:
                if self.stop.is_set():
                    raise _Stopped from exc
                tries += 1
                stalled = self.give_up_after is not None and time.monotonic() - self.last_progress >= self.give_up_after
                if stalled:
                    raise GiveUp(f"the API at {self.url} did not take the upload: {exc}") from exc
                await asyncio.sleep(max(transport.backoff(tries), exc.retry_after or 0.0))


def _lanes(work: list[Work], n: int) -> list[list[Work]]:
    """Rollouts dealt into ``n`` lanes of about equal size: a rollout's batches then go out one after another,
    so the server gets its events in order (no rebuilding of its aggregates)."""
    lanes: list[list[Work]] = [[] for _ in range(n)]
    loads = [0] * n
    for w in work:
        i = loads.index(min(loads))
        lanes[i].append(w)
        loads[i] += w.count + 1
    return [lane for lane in lanes if lane]
