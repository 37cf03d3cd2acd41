"""Plain-text views for terminals and ``text/plain``: summaries, tables, a colour timeline, and the
one event-to-text formatter (``openreward-nb show``, ``print_messages=True``).

Everything from the store passes :mod:`openreward_nb.safe_text` on its way out: a one-line cell
or header through ``terminal_line`` (a newline in a run name must not break a table), a body
through ``terminal_block``. Event kinds look as the presentation table says.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from ..counts import count
from ..records import RolloutRecord
from ..safe_text import terminal_block, terminal_line
from .body import event_body
from .presentation import REWARD_ANSI, look, reward_tone
from .render import fmt_reward, human_bytes, human_duration
from .rows import Column
from .source import header_fields

#: widest a table cell gets
CELL_WIDTH = 48
#: how far an event's body is indented under its header line
INDENT = " " * 7
#: most lines of one event's text in a timeline
EVENT_LINES = 40


class TerminalEvent(Protocol):
    """What the formatter reads of an event: a logged :class:`~openreward_nb.events.Event` or a stored record."""

    type: str
    content: str | None
    content_reference: str | None
    summary: str | None
    name: str | None
    call_id: str | None
    kind: str | None
    is_error: bool | None


class _Paint:
    """SGR styling, or none."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, sgr: str) -> str:
        return f"\033[{sgr}m{text}\033[0m" if self.color and sgr and text else text


def _attachment_fields(att: Any) -> tuple[Any, Any, Any]:
    """(mime, size, url) of a stored attachment reference (a dict) or a logged Attachment."""
    if isinstance(att, dict):
        return att.get("mime"), att.get("size"), att.get("url")
    data = getattr(att, "data", None)
    return getattr(att, "mime", None), None if data is None else len(data), getattr(att, "url", None)


def _indented(text: str, style: str, paint: _Paint, lines: int | None) -> list[str]:
    rows = terminal_block(text).split("\n")
    shown = rows if lines is None else rows[:lines]
    return [INDENT + paint(row, style) if row else "" for row in shown]


def event_head(
    ev: TerminalEvent,
    *,
    index: int,
    reward: float | None = None,
    finished: bool = False,
    color: bool = False,
    label: str | None = None,
) -> str:
    """An event's header line: index (or ``label``), kind, tool, call id, reward, flags."""
    paint = _Paint(color)
    lk = look(ev.type)
    where = f"#{index:<5}" if label is None else f"{terminal_line(label)} "
    head = paint(where, "2") + paint(terminal_line(lk.label), f"1;{lk.ansi}" if lk.ansi else "1")
    if ev.name:
        head += " " + paint(terminal_line(ev.name, 60), "1")
    if ev.kind:
        head += " " + paint(f"({terminal_line(ev.kind, 40)})", "2")
    if ev.call_id:
        head += " " + paint(f"call_id={terminal_line(ev.call_id, 60)}", "2")
    if reward is not None:
        head += "  " + paint(f"reward={fmt_reward(reward)}", REWARD_ANSI[reward_tone(reward)])
    if finished:
        head += "  " + paint("[finished]", "1")
    if ev.is_error:
        head += "  " + paint("[error]", "31")
    return head


def event_text(
    ev: TerminalEvent,
    *,
    index: int,
    reward: float | None = None,
    finished: bool = False,
    color: bool = False,
    chars: int | None = 600,
    lines: int | None = EVENT_LINES,
    label: str | None = None,
) -> str:
    """One event as a header line and its body indented under it (every line of it, every paragraph).

    ``chars`` / ``lines``: most characters and lines of the main text (None: all); ``label``
    replaces the ``#index`` in the header.
    """
    paint = _Paint(color)
    out = [event_head(ev, index=index, reward=reward, finished=finished, color=color, label=label)]
    body = event_body(ev, chars)
    if body.title is not None:
        out += _indented(body.title, "3", paint, 1)
        if body.note:
            out += _indented(body.note, "2", paint, lines)
    out += _indented(body.text, "", paint, lines)
    if body.full > len(body.text) or (lines is not None and body.text.count("\n") >= lines):
        out.append(INDENT + paint(f"… ({body.full:,} characters in all)", "2"))
    if ev.content_reference and not ev.content:
        out.append(INDENT + paint(f"(encrypted reasoning, {len(ev.content_reference):,} characters)", "2"))
    for att in getattr(ev, "attachments", None) or ():
        mime, size, url = _attachment_fields(att)
        where = human_bytes(size) if size else terminal_line(url or "", 80)
        out.append(INDENT + paint(f"[attachment {terminal_line(mime or '', 40)} {where}]", "2"))
    return "\n".join(out)


def rollout_summary(rec: RolloutRecord) -> str:
    """Two or three lines: who and what, then the numbers."""
    h = header_fields(rec)
    names = "  ".join(
        f"{k}={terminal_line(v, 80)}"
        for k, v in (("run", h["run"]), ("env", h["environment"]), ("split", h["split"]), ("model", h["model"]))
        if v
    )
    name = f"{terminal_line(h['rollout'], 80)} " if h["rollout"] else ""
    title = f"rollout {name}{terminal_line(h['id'], 80)}  [{terminal_line(h['status'], 20)}]"
    numbers = (
        f"reward total {fmt_reward(h['total_reward']) or '-'} final {fmt_reward(h['final_reward']) or '-'} · "
        f"{count(h['events'], 'event')} · {count(h['turns'], 'turn')} · {count(h['tool_calls'], 'tool call')} · "
        f"{h['input_tokens'] + h['output_tokens']:,} tokens · {human_duration(h['duration_s']) or '-'}"
    )
    return "\n".join(line for line in (title, names, numbers) if line)


def timeline_text(rec: RolloutRecord, *, color: bool = False, limit: int | None = None, chars: int = 600) -> str:
    """The summary, then each event (the first ``limit`` when given)."""
    parts = [rollout_summary(rec), ""]
    for ev in rec.events(0, limit):
        parts.append(event_text(ev, index=ev.idx, reward=ev.reward, finished=ev.is_finished, color=color, chars=chars))
    if limit is not None and rec.n_events > limit:
        parts.append(f"… {count(rec.n_events - limit, 'more event')} (--limit to show more)")
    return "\n".join(parts)


def _fmt(value: Any, key: str) -> str:
    if value is None:
        return "-"
    if key == "duration_s":
        return human_duration(value)
    if key.endswith("_at"):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(value))
    if isinstance(value, float):
        return fmt_reward(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return terminal_line(value, CELL_WIDTH)


def table_text(rows: Iterable[dict[str, Any]], columns: Sequence[Column], *, color: bool = False) -> str:
    """Rows as an aligned text table (numbers right-aligned), one line per row whatever the cells hold."""
    rows = list(rows)
    cells = [[_fmt(row.get(key), key) for key, _, _ in columns] for row in rows]
    labels = [terminal_line(label, CELL_WIDTH) for _, label, _ in columns]
    widths = [max([len(label)] + [len(c[i]) for c in cells]) for i, label in enumerate(labels)]
    numeric = [all(isinstance(r.get(k), (int, float)) or r.get(k) is None for r in rows) for k, _, _ in columns]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([_Paint(color)(line(labels), "1"), *(line(c) for c in cells)])


def run_text(
    name: str, n_rollouts: int, mean_reward: float | None, rows: list[dict[str, Any]], columns: Sequence[Column]
) -> str:
    """A run's heading line, its rollouts table and how many rollouts it left out."""
    mean = "-" if mean_reward is None else f"{mean_reward:.4g}"
    head = f"run {terminal_line(name, 120)}: {n_rollouts:,} rollouts, mean reward {mean}"
    more = f"\n… {n_rollouts - len(rows):,} more" if n_rollouts > len(rows) else ""
    return f"{head}\n{table_text(rows, columns)}{more}"
