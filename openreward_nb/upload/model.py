"""The values an upload takes (:class:`UploadOptions`) and gives back (:class:`SyncResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..safe_text import terminal_line


@dataclass
class UploadOptions:
    """Batch limits, concurrency and timeouts of an upload.

    Events are read from the store a page at a time as batches are built, so what an upload holds
    is about ``concurrency`` request bodies, whatever the round's size. ``concurrency`` times
    ``batch_events`` is what one round trip to the server can carry: these send 4,000 events per
    round trip (40,000 events/s at 100 ms), at a loopback server's full speed
    (``benchmarks/bench_upload.py``).
    """

    batch_events: int = 1000
    batch_bytes: int = 1_000_000
    concurrency: int = 4
    #: events looked at before the list of pending rollouts is read again
    round_events: int = 16_000
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
