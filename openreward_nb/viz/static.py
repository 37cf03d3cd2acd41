"""Static HTML renderings that travel beside each live view: read after a kernel restart, on
GitHub / nbviewer and in ``nbconvert --to html``. Bounded: a header and the first events or rows.

Everything from a model, a tool, a peer or the store is escaped (:func:`.render.esc`) or
rendered by markdown-it with raw HTML off. Event kinds look as the presentation table says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..records import EventRecord, RolloutRecord, RunRecord
from .body import event_body
from .charts import integer_ticks
from .presentation import css_colour, look, reward_tone
from .render import esc, fmt_reward, human_bytes, human_duration, markdown_html
from .rows import BRIEF_ROLLOUT_COLUMNS, Column
from .source import header_fields
from .stepchart import steps_svg

#: events in a static timeline
STATIC_EVENTS = 25
#: characters of an event's text in a static timeline
STATIC_CHARS = 1_200
#: rows in a static table
STATIC_ROWS = 50

# The live view follows its static rendering as the next output of the same cell (views.py).
# While the widget is alive (.orw-live) the static one steps aside; when it is not (a restarted
# kernel: "model not found", or still loading) the widget's output steps aside instead.
STYLE = """<style>
.orws{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;max-width:100%;color-scheme:light}
body[data-jp-theme-light="false"] .orws,body.vscode-dark .orws{color-scheme:dark}
.orws table{border-collapse:collapse;font-size:12px}.orws.orws-static table td,.orws.orws-static table th{padding:3px 8px;border-bottom:1px solid #8c959f55;text-align:left}
.orws table th{font-weight:600}.orws.orws-static table .orws-num{text-align:right;font-variant-numeric:tabular-nums}
.orws .orws-ev{border-left:3px solid var(--orws-c,#8c959f);padding:4px 10px;margin:6px 0}
.orws .orws-ev pre{white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;margin:2px 0;font-size:12px;padding:0;background:none}
.orws .orws-md pre{white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere}
.orws .orws-kind{color:var(--orws-c,inherit)}.orws-head{font-size:12px;opacity:.85}
.orws-badge{font-weight:600;margin-left:6px}.orws-good{color:light-dark(#1a7f37,#3fb950)}
.orws-bad{color:light-dark(#cf222e,#f85149)}.orws-zero{opacity:.7}.orws-note{opacity:.75;font-size:12px;margin:6px 0}
.orws-cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}.orws-charts{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0}
.orws-charts svg text{font-size:10px;fill:currentColor;opacity:.75}
.jp-OutputArea-child:has(.orws-paired):has(+ .jp-OutputArea-child .orw-live){display:none}
.jp-OutputArea-child:has(.orws-paired) + .jp-OutputArea-child:not(:has(.orw-live)){display:none}
</style>"""


def _page(inner: str) -> str:
    return f'{STYLE}<div class="orws orws-static">{inner}</div>'


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


def _attachment_label(att: dict[str, Any]) -> str:
    label = att.get("name") or att.get("mime") or "attachment"
    return f'<div class="orws-note">[{esc(label)} {esc(human_bytes(att.get("size")))}]</div>'


def event_html(
    ev: EventRecord, chars: int = STATIC_CHARS, *, label: str | None = None, marked: str | None = None
) -> str:
    """One event as static HTML; everything from the model or a tool escaped (markdown via markdown-it).

    ``label`` replaces the ``#idx`` before the kind; ``marked`` (escaped HTML) replaces the body
    (the step diff shows what differs marked there).
    """
    lk = look(ev.type)
    body = event_body(ev, chars)
    head = [f'<b class="orws-kind">{esc(lk.icon)} {esc(label or f"#{ev.idx}")} {esc(lk.label)}</b>']
    if ev.kind:
        head.append(f"({esc(ev.kind)})")
    if ev.name:
        head.append(f"<code>{esc(ev.name)}</code>")
    if ev.call_id:
        head.append(f"call {esc(ev.call_id)}")
    if ev.reward is not None:
        head.append(
            f'<span class="orws-badge orws-{reward_tone(ev.reward)}">reward {esc(fmt_reward(ev.reward))}</span>'
        )
    if ev.is_finished:
        head.append('<span class="orws-badge">finished</span>')
    if ev.is_error:
        head.append('<span class="orws-badge orws-bad">error</span>')
    text = f"<pre>{esc(body.text)}</pre>" if body.text else ""
    if marked is not None:
        inner = marked
    elif body.format == "folded":
        note = f'<div class="orws-md">{markdown_html(body.note)}</div>' if body.note else ""
        inner = f"<details><summary>{esc(body.title)}</summary>{note}{text}</details>"
    elif body.format == "markdown" and body.text:
        inner = f'<div class="orws-md">{markdown_html(body.text)}</div>'
    else:
        inner = text
    if marked is None and body.full > len(body.text):
        inner += f'<div class="orws-note">… {body.full - len(body.text):,} more characters</div>'
    inner += "".join(_attachment_label(att) for att in ev.attachments)
    return (
        f'<div class="orws-ev" style="--orws-c:{css_colour(lk)}">'
        f'<div class="orws-head">{" ".join(head)}</div>{inner}</div>'
    )


def _left_out(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return (
        f'<div class="orws-note">… {total - shown:,} more {what} not shown in this static view; '
        "open the notebook in a running kernel for the interactive one.</div>"
    )


def timeline_html(rec: RolloutRecord, limit: int = STATIC_EVENTS) -> str:
    """Header plus the first ``limit`` events."""
    events = "".join(event_html(ev) for ev in rec.events(0, limit, page_size=limit))
    return _page(f"{rollout_header_html(rec)}{events}{_left_out(min(limit, rec.n_events), rec.n_events, 'events')}")


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


def table_html(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], total: int | None = None, what: str = "rows"
) -> str:
    """A plain HTML table of the first :data:`STATIC_ROWS` rows; a note says how many of ``total`` were left out."""
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in columns)
    body = "".join(
        "<tr>" + "".join(_cell(key, row.get(key)) for key, _, _ in columns) + "</tr>" for row in rows[:STATIC_ROWS]
    )
    n = len(rows) if total is None else max(total, len(rows))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{_left_out(min(len(rows), STATIC_ROWS), n, what)}"


def store_line(url: str) -> str:
    """Where a view reads from (a URL without its password)."""
    return f'<div class="orws-note">store <code>{esc(url)}</code></div>'


# --- charts as SVG -------------------------------------------------------------------------
_W, _H, _L, _B, _T = 320, 150, 40, 28, 18


def _svg(title: str, inner: str) -> str:
    return (
        f'<svg width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" role="img">'
        f'<text x="{_L}" y="12" style="font-size:11px;opacity:1">{esc(title)}</text>{inner}</svg>'
    )


def _ytick(y: float, label: str) -> str:
    return f'<text x="{_L - 4}" y="{y + 3:.1f}" text-anchor="end">{esc(label)}</text>'


def histogram_svg(bins: Sequence[dict[str, Any]]) -> str:
    """The reward histogram: a bar per bin (one per value when rewards take few values)."""
    if not bins:
        return ""
    top = max(b["n"] for b in bins) or 1
    slot = (_W - _L - 8) / len(bins)
    bars, labels = [], []
    every = max(1, len(bins) // 8)
    for k, b in enumerate(bins):
        h = (_H - _B - _T) * b["n"] / top
        x = _L + k * slot
        bars.append(
            f'<rect x="{x + 1:.1f}" y="{_H - _B - h:.1f}" width="{max(1.0, slot - 2):.1f}" height="{h:.1f}" '
            f'style="fill:light-dark(#1a7f37,#3fb950)" opacity="0.75">'
            f"<title>{esc(b['filter']['label'])}: {b['n']:,} rollouts</title></rect>"
        )
        if k % every == 0:
            text = fmt_reward(b["lo"])
            anchor_x = x + slot / 2 if b["exact"] else x
            labels.append(f'<text x="{anchor_x:.1f}" y="{_H - _B + 12}" text-anchor="middle">{esc(text)}</text>')
    axis = f'<line x1="{_L}" x2="{_W - 8}" y1="{_H - _B}" y2="{_H - _B}" stroke="currentColor" opacity="0.3"/>'
    ticks = _ytick(_H - _B - (_H - _B - _T), f"{top:,}") + _ytick(_H - _B, "0")
    return _svg("reward distribution (rollouts)", axis + "".join(bars) + "".join(labels) + ticks)


def curve_svg(curve: dict[str, Any]) -> str:
    """Mean reward with its 95% band, by training step (whole-number ticks) or creation order."""
    pts = curve["points"]
    if not pts:
        return ""
    xs: list[float] = [p["x"] for p in pts]
    lows: list[float] = [p["mean"] - p["half"] for p in pts]
    highs: list[float] = [p["mean"] + p["half"] for p in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(lows), max(highs)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1

    def px(x: float) -> float:
        return _L + (x - x0) / (x1 - x0) * (_W - _L - 12)

    def py(y: float) -> float:
        return _H - _B - (y - y0) / (y1 - y0) * (_H - _B - _T)

    outline = [*zip(xs, highs, strict=True), *reversed(list(zip(xs, lows, strict=True)))]
    band = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in outline)
    line = " ".join(f"{px(p['x']):.1f},{py(p['mean']):.1f}" for p in pts)
    dots = "".join(
        f'<circle cx="{px(p["x"]):.1f}" cy="{py(p["mean"]):.1f}" r="2.5" style="fill:#1f6feb">'
        f"<title>{esc(p['filter']['label'])}: mean {esc(fmt_reward(p['mean']))} (n={p['n']:,})</title></circle>"
        for p in pts
    )
    ticks = "".join(
        f'<text x="{px(t):.1f}" y="{_H - _B + 12}" text-anchor="middle">{t}</text>' for t in integer_ticks(x0, x1)
    )
    axis = f'<line x1="{_L}" x2="{_W - 8}" y1="{_H - _B}" y2="{_H - _B}" stroke="currentColor" opacity="0.3"/>'
    inner = (
        f'{axis}<polygon points="{band}" style="fill:#1f6feb;opacity:.15"/>'
        f'<polyline points="{line}" style="fill:none;stroke:#1f6feb;stroke-width:1.5"/>{dots}{ticks}'
        f"{_ytick(py(y1), fmt_reward(y1))}{_ytick(py(y0), fmt_reward(y0))}"
        f'<text x="{(_L + _W) / 2:.0f}" y="{_H - 4}" text-anchor="middle">{esc(curve["label"])}</text>'
    )
    return _svg("mean reward (95% band)", inner)


def charts_html(charts: dict[str, Any]) -> str:
    """The run's reward histogram and curve (and pass@k by training step) as inline SVG ('' without rewards)."""
    if not charts["rewards"]:
        return ""
    groups = steps_svg(charts["groups"]) if charts.get("groups") else ""
    return f'<div class="orws-charts">{histogram_svg(charts["bins"])}{curve_svg(charts["curve"])}{groups}</div>'


def run_html(
    run: RunRecord, rows: Sequence[dict[str, Any]], store_url: str, charts: dict[str, Any] | None = None
) -> str:
    """A run's counts, where it is stored, its reward charts and its rollouts table."""
    mean = fmt_reward(run.mean_reward) or "–"
    head = (
        f'<div><b style="font-size:15px">run {esc(run.name)}</b></div><div class="orws-note">'
        f"{run.n_rollouts:,} rollouts ({run.n_running:,} running, {run.n_finished:,} finished, {run.n_failed:,} failed)"
        f" · {run.n_events:,} events · mean reward <b>{esc(mean)}</b></div>{store_line(store_url)}"
    )
    plots = charts_html(charts) if charts else ""
    return _page(f"{head}{plots}{table_html(rows, BRIEF_ROLLOUT_COLUMNS, run.n_rollouts, 'rollouts')}")


def dashboard_html(rows: Sequence[dict[str, Any]], columns: Sequence[Column], store_url: str) -> str:
    """Every run in a store as a table."""
    title = f'<div><b style="font-size:15px">{len(rows):,} runs</b></div>{store_line(store_url)}'
    return _page(f"{title}{table_html(rows, columns, what='runs')}")


def compare_html(
    pairs: Iterable[tuple[int, list[EventRecord], list[EventRecord]]], a: RolloutRecord, b: RolloutRecord
) -> str:
    """Two rollouts side by side, one row per model turn."""
    rows = []
    for turn, left, right in pairs:
        cells = "".join(f"<div>{''.join(event_html(ev, 400) for ev in side)}</div>" for side in (left, right))
        rows.append(f'<div class="orws-note">turn {turn}</div><div class="orws-cols">{cells}</div>')
    heads = f'<div class="orws-cols"><div>{rollout_header_html(a)}</div><div>{rollout_header_html(b)}</div></div>'
    return _page(f"{heads}{''.join(rows)}")
