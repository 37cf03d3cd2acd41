"""The values an upload takes (:class:`UploadOptions`) and gives back (:class:`SyncResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..safe_text import terminal_line


@dataclass
class UploadOptions:
    """Batch limits, concurrency and timeouts of an upload."""

    batch_events: int = 4000
    batch_bytes: int = 4_000_000
    concurrency: int = 4
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
