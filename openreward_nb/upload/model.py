"""The values an upload takes (:class:`UploadOptions`) and gives back (:class:`SyncResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..safe_text import terminal_line


@dataclass
class UploadOptions:
    """Batch limits, concurrency and timeouts of an upload.

    A round's events are read and encoded before they are sent, so the round and batch sizes bound
    what an upload holds; these keep ``upload=True`` within about 45 MB for a 100,000-event run
    (``benchmarks/bench_upload.py``) at no cost in speed: the server's inserts set the pace.
    """

    batch_events: int = 2000
    batch_bytes: int = 2_000_000
    concurrency: int = 4
    round_events: int = 8000
    #: seconds one request may take in all (connect, send, the whole answer)
    timeout: float = 30.0


@dataclass
class SyncResult:
    """What an upload did: events ``sent`` now, still ``pending``, ``failed`` (refused by the server), and why."""

    sent: int
    pending: int
    failed: int
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is left to send and nothing was refused."""
        return self.pending == 0 and self.failed == 0

    def __str__(self) -> str:
        """The counts, and each error on a line of its own (inert: errors hold what a server said)."""
        text = f"sent {self.sent:,} events; {self.pending:,} pending; {self.failed:,} failed"
        return text + "".join(f"\n  {terminal_line(e)}" for e in self.errors)
