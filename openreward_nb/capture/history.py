"""What a captured rollout already holds, so re-sent chat history is stored once.

Each logged event gets a fingerprint of its conversational fields. A captured call's
input events are matched, in order, against the history; only those not found are
logged. Consecutive model text (or reasoning) events are matched as one run, so a
streamed answer assembled into one part matches the same answer re-sent as the chunks'
parts, and the other way round. An explicit ``log_*`` of something already captured
claims that event instead of logging it again.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from ..events import Event

_RUNS = frozenset({"assistant_message", "reasoning"})


def fingerprint(event: Event) -> Hashable:
    """The fields that identify a message whether it arrives as request input or response output."""
    if event.type == "reasoning":
        return ("reasoning", event.content_reference or event.content or event.summary)
    return (event.type, event.content, event.name, event.call_id)


def _text(event: Event) -> str:
    return (event.content or "") + (event.summary or "")


def _units(items: Iterable[tuple[str, Hashable, str]]) -> list[Hashable]:
    """Matching keys, one per unit: runs of consecutive model text (or reasoning) merge into one."""
    keys: list[Hashable] = []
    run_type: str | None = None
    run_text: list[str] = []
    for etype, fp, text in items:
        if etype in _RUNS and etype == run_type:
            run_text.append(text)
            keys[-1] = (etype, "".join(run_text))
            continue
        run_type = etype if etype in _RUNS else None
        run_text = [text]
        keys.append((etype, text) if run_type else fp)
    return keys


@dataclass
class _Entry:
    etype: str
    fp: Hashable
    text: str
    idx: int
    captured: bool
    claimed: bool = False


@dataclass
class History:
    """The fingerprinted events of one rollout, in log order."""

    entries: list[_Entry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event: Event, idx: int, captured: bool) -> None:
        """Remember an event that was just logged."""
        self.entries.append(_Entry(event.type, fingerprint(event), _text(event), idx, captured, claimed=not captured))

    def unseen(self, events: list[Event]) -> list[Event]:
        """The input events not yet in the history, matched unit by unit in order (a subsequence walk)."""
        positions: dict[Hashable, list[int]] = {}
        for pos, key in enumerate(_units((e.etype, e.fp, e.text) for e in self.entries)):
            positions.setdefault(key, []).append(pos)
        groups = self._group(events)
        keys = _units((e.type, fingerprint(e), _text(e)) for e in events)
        fresh: list[Event] = []
        cursor = -1
        for key, group in zip(keys, groups, strict=True):
            spot = next((p for p in positions.get(key, ()) if p > cursor), None)
            if spot is None:
                fresh.extend(group)
            else:
                cursor = spot
        return fresh

    @staticmethod
    def _group(events: list[Event]) -> list[list[Event]]:
        """The events of each matching unit (same grouping as :func:`_units`)."""
        groups: list[list[Event]] = []
        for event in events:
            if groups and event.type in _RUNS and groups[-1][-1].type == event.type:
                groups[-1].append(event)
            else:
                groups.append([event])
        return groups

    def claim(self, event: Event) -> int | None:
        """Index of the most recent unclaimed captured event equal to ``event`` (now claimed), if any."""
        fp = fingerprint(event)
        for entry in reversed(self.entries):
            if entry.captured and not entry.claimed and entry.fp == fp:
                entry.claimed = True
                return entry.idx
        return None
