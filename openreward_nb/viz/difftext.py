"""The step diff for a terminal (``openreward-nb diff``) and ``text/plain``: both summaries, the counts,
then block by block: a fold of identical steps in one line, a changed step as both headers and
what differs (JSON key by key, text word by word, as ``git diff --word-diff`` writes it), a step
only one side has as that event. Coloured like the timeline's text; everything from the store
passes :mod:`openreward_nb.safe_text` before any colour is added.
"""

from __future__ import annotations

import json
from typing import Any

from ..alignment.align import Alignment, Row
from ..counts import count
from ..records import EventRecord
from ..safe_text import terminal_block, terminal_line
from .difflooks import MARK_ANSI, MARK_PLAIN, OP_LOOKS
from .diffmarks import comparable, key_changes, word_ops
from .diffsource import read_events
from .text import EVENT_LINES, INDENT, event_head, event_text, rollout_summary

#: widest a JSON value gets in a key change line
VALUE_CHARS = 160


def _paint(text: str, sgr: str, color: bool) -> str:
    return f"\033[{sgr}m{text}\033[0m" if color and sgr and text else text


def _where(a: int | None, b: int | None) -> str:
    return " ↔ ".join(f"{side} #{idx}" for side, idx in (("A", a), ("B", b)) if idx is not None)


def _span(lo: int | None, hi: int | None) -> str:
    return f"#{lo}" if lo == hi else f"#{lo}–{hi}"


def counts_line(al: Alignment) -> str:
    """'8,120 identical · 3 changed · 1 only in A', and where the rollouts first diverge."""
    counts = " · ".join(f"{n:,} {OP_LOOKS[op].label}" for op, n in al.counts.items() if n) or "no steps"
    first = al.first
    if first is None:
        return counts + (" · the rollouts do not diverge" if al.rows else " · both rollouts are empty")
    row = al.rows[first]
    return f"{counts} · first divergence at {_where(row.a, row.b)}"


def _value(value: Any) -> str:
    return terminal_line(json.dumps(value, ensure_ascii=False), VALUE_CHARS)


def json_lines(a: Any, b: Any, color: bool) -> list[str]:
    """What differs between two JSON values, one key per line: ``~ path: A → B``, ``- path: A``, ``+ path: B``."""
    out = []
    for path, kind, va, vb in key_changes(a, b):
        key = terminal_line(path, 80)
        if kind == "changed":
            line = f"~ {key}: {_paint(_value(va), MARK_ANSI['a'], color)} → {_paint(_value(vb), MARK_ANSI['b'], color)}"
        elif kind == "only_a":
            line = _paint(f"- {key}: {_value(va)}", MARK_ANSI["a"], color)
        else:
            line = _paint(f"+ {key}: {_value(vb)}", MARK_ANSI["b"], color)
        out.append(INDENT + line)
    return out


def word_lines(a: str, b: str, color: bool, lines: int = EVENT_LINES) -> list[str]:
    """Both texts in one, word by word: what only A has as ``[-…-]`` (red), what only B has as ``{+…+}`` (green)."""
    pieces = []
    for tag, ta, tb in word_ops(a, b):
        if tag == "equal":
            pieces.append(terminal_block(ta))
            continue
        for side, text in (("a", ta), ("b", tb)):
            if text:
                shown = terminal_block(text)
                opener, closer = MARK_PLAIN[side]
                pieces.append(_paint(shown, MARK_ANSI[side], True) if color else f"{opener}{shown}{closer}")
    rows = "".join(pieces).split("\n")
    out = [INDENT + row if row else "" for row in rows[:lines]]
    if len(rows) > lines:
        out.append(INDENT + _paint(f"… {count(len(rows) - lines, 'more line')}", "2", color))
    return out


def changed_text(ev_a: EventRecord, ev_b: EventRecord, color: bool, chars: int) -> list[str]:
    """Both headers of a changed step, then what differs."""
    out = [
        "  "
        + event_head(
            ev_a, index=ev_a.idx, reward=ev_a.reward, finished=ev_a.is_finished, color=color, label=f"A #{ev_a.idx}"
        ),
        "  "
        + event_head(
            ev_b, index=ev_b.idx, reward=ev_b.reward, finished=ev_b.is_finished, color=color, label=f"B #{ev_b.idx}"
        ),
    ]
    fa, ta, va = comparable(ev_a)
    fb, tb, vb = comparable(ev_b)
    if fa == fb == "json":
        found = json_lines(va, vb, color)
        return out + (found or [INDENT + _paint("(same content)", "2", color)])
    if ta == tb:
        return [*out, INDENT + _paint("(same content)", "2", color)]
    return out + word_lines(ta[:chars], tb[:chars], color)


def _one_side(ev: EventRecord, side: str, color: bool, chars: int) -> str:
    text = event_text(
        ev, index=ev.idx, reward=ev.reward, finished=ev.is_finished, color=color, chars=chars, label=f"{side} #{ev.idx}"
    )
    return "  " + text  # the header under the op's line; the body keeps its indent


def _row_text(
    row: Row, first: bool, events_a: dict[int, EventRecord], events_b: dict[int, EventRecord], color: bool, chars: int
) -> str:
    lk = OP_LOOKS[row.op]
    if row.op == "equal" and row.a is not None:
        ev = events_a[row.a]
        text = event_text(
            ev,
            index=ev.idx,
            reward=ev.reward,
            finished=ev.is_finished,
            color=color,
            chars=chars,
            label=_where(row.a, row.b),
        )
        return _paint(lk.sign, lk.ansi, color) + " " + text
    title = lk.label + (f" · {row.similarity:.0%} alike" if row.op == "changed" and row.similarity is not None else "")
    head = _paint(f"{lk.sign} {title}", f"1;{lk.ansi}", color)
    if first:
        head += "  " + _paint("◀ first divergence", "1;31", color)
    ev_a = events_a.get(row.a) if row.a is not None else None
    ev_b = events_b.get(row.b) if row.b is not None else None
    if ev_a is not None and ev_b is not None:
        return "\n".join([head, *changed_text(ev_a, ev_b, color, chars)])
    if ev_a is not None:
        return f"{head}\n{_one_side(ev_a, 'A', color, chars)}"
    return head if ev_b is None else f"{head}\n{_one_side(ev_b, 'B', color, chars)}"


def diff_text(al: Alignment, *, color: bool = False, limit: int | None = 200, chars: int = 600) -> str:
    """The two summaries, the counts, then the first ``limit`` blocks (None: all)."""
    parts = []
    for side, rec in (("A", al.a), ("B", al.b)):
        lines = rollout_summary(rec).split("\n")
        parts += [f"{side}  {lines[0]}", *(f"   {line}" for line in lines[1:])]
    parts += [counts_line(al), ""]
    blocks = al.blocks if limit is None else al.blocks[:limit]
    rows = [al.rows[blk.start] for blk in blocks if not blk.fold]
    events_a = read_events(al.a, [r.a for r in rows if r.a is not None])
    events_b = read_events(al.b, [r.b for r in rows if r.b is not None and r.op != "equal"])
    for blk in blocks:
        if blk.fold:
            first, last = al.rows[blk.start], al.rows[blk.stop - 1]
            line = f"= … {count(blk.stop - blk.start, 'identical step')} (A {_span(first.a, last.a)} · B {_span(first.b, last.b)})"
            parts.append(_paint(line, "2", color))
        else:
            parts.append(_row_text(al.rows[blk.start], blk.start == al.first, events_a, events_b, color, chars))
    if limit is not None and len(al.blocks) > limit:
        parts.append(f"… {count(len(al.blocks) - limit, 'more block')} (--limit to show more)")
    return "\n".join(parts)
