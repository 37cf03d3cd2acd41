"""Plain-text views for terminals and ``text/plain``: summaries, tables, a colour timeline."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .._printing import _STYLE
from ..counts import count
from ..records import EventRecord, RolloutRecord
from .payload import display_text
from .render import fmt_reward, human_bytes, human_duration
from .rows import Column
from .source import header_fields

_DIM, _BOLD, _RESET, _RED, _GREEN = "\033[2m", "\033[1m", "\033[0m", "\033[31m", "\033[32m"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: widest a table cell gets
CELL_WIDTH = 48


def safe(text: Any, width: int | None = None) -> str:
    """``text`` with terminal control characters (escape sequences from a model or tool) made visible, clipped."""
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return out if width is None or len(out) <= width else out[: width - 1] + "…"


def rollout_summary(rec: RolloutRecord) -> str:
    """Two lines: who and what, then the numbers."""
    h = header_fields(rec)
    names = "  ".join(
        f"{k}={safe(v, 80)}"
        for k, v in (("run", h["run"]), ("env", h["environment"]), ("split", h["split"]), ("model", h["model"]))
        if v
    )
    title = f"rollout {safe(h['rollout'], 80) + ' ' if h['rollout'] else ''}{h['id']}  [{h['status']}]"
    numbers = (
        f"reward total {fmt_reward(h['total_reward']) or '-'} final {fmt_reward(h['final_reward']) or '-'} · "
        f"{count(h['events'], 'event')} · {count(h['turns'], 'turn')} · {count(h['tool_calls'], 'tool call')} · "
        f"{h['input_tokens'] + h['output_tokens']:,} tokens · {human_duration(h['duration_s']) or '-'}"
    )
    return "\n".join(line for line in (title, names, numbers) if line)


def event_text(ev: EventRecord, color: bool, chars: int) -> str:
    """One event as a header line and its (clipped) text, indented."""
    tint, label = _STYLE.get(ev.type, ("", ev.type))
    dim, bold, reset, red, green = (_DIM, _BOLD, _RESET, _RED, _GREEN) if color else ("",) * 5
    tint = tint if color else ""
    head = f"{dim}#{ev.idx:<5}{reset}{tint}{bold}{label}{reset}"
    if ev.kind:
        head += f" {dim}({safe(ev.kind, 40)}){reset}"
    if ev.name:
        head += f" {bold}{safe(ev.name, 60)}{reset}"
    if ev.call_id:
        head += f" {dim}{safe(ev.call_id, 60)}{reset}"
    if ev.reward is not None:
        head += f"  {green}reward {fmt_reward(ev.reward)}{reset}"
    if ev.is_finished:
        head += f"  {bold}[finished]{reset}"
    if ev.is_error:
        head += f"  {red}[error]{reset}"
    lines = [head]
    if ev.summary:
        lines.append(f"       {dim}summary: {safe(ev.summary)}{reset}")
    text, full = display_text(ev, chars)
    for line in safe(text).splitlines()[:40]:
        lines.append(f"       {line}")
    if full > len(text) or text.count("\n") >= 40:
        lines.append(f"       {dim}… ({full:,} characters in all){reset}")
    for att in ev.attachments:
        where = human_bytes(att["size"]) if att.get("size") else safe(att.get("url") or "", 80)
        lines.append(f"       {dim}[attachment {safe(att.get('mime') or '', 40)} {where}]{reset}")
    return "\n".join(lines)


def timeline_text(rec: RolloutRecord, *, color: bool = False, limit: int | None = None, chars: int = 600) -> str:
    """The summary, then each event (the first ``limit`` when given)."""
    parts = [rollout_summary(rec), ""]
    stop = None if limit is None else limit
    for ev in rec.events(0, stop):
        parts.append(event_text(ev, color, chars))
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
    return safe(value, CELL_WIDTH)


def table_text(rows: Iterable[dict[str, Any]], columns: Sequence[Column], *, color: bool = False) -> str:
    """Rows as an aligned text table (numbers right-aligned)."""
    rows = list(rows)
    cells = [[_fmt(row.get(key), key) for key, _, _ in columns] for row in rows]
    widths = [max([len(label)] + [len(c[i]) for c in cells]) for i, (_, label, _) in enumerate(columns)]
    numeric = [all(isinstance(r.get(k), (int, float)) or r.get(k) is None for r in rows) for k, _, _ in columns]
    bold, reset = (_BOLD, _RESET) if color else ("", "")

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    out = [bold + line([label for _, label, _ in columns]) + reset]
    out += [line(c) for c in cells]
    return "\n".join(out)
