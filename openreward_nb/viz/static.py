"""Static HTML renderings that travel in each view's output bundle: read after a kernel restart,
on GitHub / nbviewer and in ``nbconvert --to html``. Bounded: a header and the first events or rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..records import EventRecord, RolloutRecord, RunRecord
from .payload import display_text
from .render import esc, fmt_reward, human_bytes, human_duration, markdown_html
from .rows import BRIEF_ROLLOUT_COLUMNS, Column
from .source import header_fields

#: events in a static timeline
STATIC_EVENTS = 25
#: characters of an event's text in a static timeline
STATIC_CHARS = 1_200
#: rows in a static table
STATIC_ROWS = 50

_TYPE_LABEL = {
    "system_message": "system",
    "user_message": "user",
    "assistant_message": "assistant",
    "reasoning": "reasoning",
    "tool_call": "tool call",
    "tool_result": "tool result",
}
_COLOR = {
    "system_message": "#8c959f",
    "user_message": "#1f6feb",
    "assistant_message": "#1a7f37",
    "reasoning": "#8250df",
    "tool_call": "#bf8700",
    "tool_result": "#0a7ea4",
}
STYLE = """<style>
.orws{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;max-width:100%}
.orws table{border-collapse:collapse;font-size:12px}.orws td,.orws th{padding:3px 8px;border-bottom:1px solid #d8dee4;text-align:left}
.orws th{font-weight:600}.orws .orws-num{text-align:right;font-variant-numeric:tabular-nums}
.orws-ev{border-left:3px solid #8c959f;padding:4px 10px;margin:6px 0}
.orws-ev pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;font-size:12px}
.orws-head{font-size:12px;color:#656d76}.orws-head b{color:inherit}
.orws-badge{font-weight:600;margin-left:6px}.orws-note{color:#656d76;font-size:12px;margin:6px 0}
.orws-cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}
</style>"""


def _stat_line(h: dict[str, Any]) -> str:
    parts = [
        ("status", h["status"]),
        ("total reward", fmt_reward(h["total_reward"]) or "–"),
        ("final reward", fmt_reward(h["final_reward"]) or "–"),
        ("events", f"{h['events']:,}"),
        ("turns", f"{h['turns']:,}"),
        ("tool calls", f"{h['tool_calls']:,}"),
        ("tokens in/out", f"{h['input_tokens']:,} / {h['output_tokens']:,}"),
        ("duration", human_duration(h["duration_s"]) or "–"),
    ]
    return " · ".join(f"{esc(k)} <b>{esc(v)}</b>" for k, v in parts)


def rollout_header_html(rec: RolloutRecord) -> str:
    """The rollout's names and numbers as a few lines of HTML."""
    h = header_fields(rec)
    names = " · ".join(
        f"{esc(k)} <b>{esc(v)}</b>"
        for k, v in (("run", h["run"]), ("environment", h["environment"]), ("split", h["split"]), ("model", h["model"]))
        if v
    )
    title = esc(h["rollout"] or "rollout")
    return (
        f'<div><b style="font-size:15px">{title}</b> <code>{esc(h["id"])}</code></div>'
        f'<div class="orws-note">{names}</div><div>{_stat_line(h)}</div>'
    )


def event_html(ev: EventRecord, chars: int = STATIC_CHARS) -> str:
    """One event as static HTML; everything from the model or a tool escaped (markdown via markdown-it)."""
    text, full = display_text(ev, chars)
    head = [f"<b>#{ev.idx} {esc(_TYPE_LABEL.get(ev.type, ev.type))}</b>"]
    if ev.kind:
        head.append(f"({esc(ev.kind)})")
    if ev.name:
        head.append(f"<code>{esc(ev.name)}</code>")
    if ev.call_id:
        head.append(f"call {esc(ev.call_id)}")
    if ev.reward is not None:
        head.append(f'<span class="orws-badge">reward {esc(fmt_reward(ev.reward))}</span>')
    if ev.is_finished:
        head.append('<span class="orws-badge">finished</span>')
    if ev.is_error:
        head.append('<span class="orws-badge" style="color:#cf222e">error</span>')
    body = ""
    if ev.type == "reasoning":
        summary = esc(ev.summary or "reasoning")
        body = f"<details><summary>{summary}</summary><pre>{esc(text)}</pre></details>"
    elif ev.type == "assistant_message" and text:
        body = markdown_html(text)
    elif text:
        body = f"<pre>{esc(text)}</pre>"
    if full > len(text):
        body += f'<div class="orws-note">… {full - len(text):,} more characters</div>'
    for att in ev.attachments:
        label = att.get("name") or att.get("mime") or "attachment"
        body += f'<div class="orws-note">[{esc(label)} {esc(human_bytes(att.get("size")))}]</div>'
    color = _COLOR.get(ev.type, "#8c959f")
    return f'<div class="orws-ev" style="border-left-color:{color}"><div class="orws-head">{" ".join(head)}</div>{body}</div>'


def _live_note(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return (
        f'<div class="orws-note">… {total - shown:,} more {what} not shown in this static view; '
        "open the notebook in a running kernel for the interactive one.</div>"
    )


def timeline_html(rec: RolloutRecord, limit: int = STATIC_EVENTS) -> str:
    """Header plus the first ``limit`` events."""
    events = "".join(event_html(ev) for ev in rec.events(0, limit, page_size=limit))
    return (
        f'{STYLE}<div class="orws">{rollout_header_html(rec)}{events}'
        f"{_live_note(min(limit, rec.n_events), rec.n_events, 'events')}</div>"
    )


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "<td></td>"
    if key == "duration_s":
        return f'<td class="orws-num">{esc(human_duration(value))}</td>'
    if isinstance(value, float):
        return f'<td class="orws-num">{esc(fmt_reward(value))}</td>'
    if isinstance(value, int):
        return f'<td class="orws-num">{value:,}</td>'
    return f"<td>{esc(value)}</td>"


def table_html(rows: Sequence[dict[str, Any]], columns: Sequence[Column], total: int | None = None) -> str:
    """A plain HTML table of the first :data:`STATIC_ROWS` rows."""
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in columns)
    body = "".join(
        "<tr>" + "".join(_cell(key, row.get(key)) for key, _, _ in columns) + "</tr>" for row in rows[:STATIC_ROWS]
    )
    n = len(rows) if total is None else total
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{_live_note(min(len(rows), STATIC_ROWS), n, 'rows')}"


def run_html(run: RunRecord, rows: Sequence[dict[str, Any]]) -> str:
    """A run's counts and its rollouts table."""
    mean = fmt_reward(run.mean_reward) or "–"
    head = (
        f'<div><b style="font-size:15px">run {esc(run.name)}</b></div><div class="orws-note">'
        f"{run.n_rollouts:,} rollouts ({run.n_running:,} running, {run.n_finished:,} finished, {run.n_failed:,} failed)"
        f" · {run.n_events:,} events · mean reward <b>{esc(mean)}</b></div>"
    )
    return f'{STYLE}<div class="orws">{head}{table_html(rows, BRIEF_ROLLOUT_COLUMNS)}</div>'


def compare_html(
    pairs: Iterable[tuple[int, list[EventRecord], list[EventRecord]]], a: RolloutRecord, b: RolloutRecord
) -> str:
    """Two rollouts side by side, one row per model turn."""
    rows = []
    for turn, left, right in pairs:
        cells = "".join(f"<div>{''.join(event_html(ev, 400) for ev in side)}</div>" for side in (left, right))
        rows.append(f'<div class="orws-note">turn {turn}</div><div class="orws-cols">{cells}</div>')
    heads = f'<div class="orws-cols"><div>{rollout_header_html(a)}</div><div>{rollout_header_html(b)}</div></div>'
    return f'{STYLE}<div class="orws">{heads}{"".join(rows)}</div>'
