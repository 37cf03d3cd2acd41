"""The step diff as static HTML, beside the widget (and in place of it in a saved notebook): both
headers, the counts, the reward chart as SVG, then the first blocks (the first divergence
among them). Events are the static timeline's (:func:`.static.event_html`); a changed step's
body has what differs marked. Everything from the store is escaped."""

from __future__ import annotations

from typing import Literal

from ..alignment.align import Alignment, Row
from ..records import EventRecord
from .difflooks import OP_LOOKS, SIDE_COLOURS, css_pair
from .diffmarks import Marked, pair_marks
from .diffsource import read_events
from .render import esc, fmt_reward
from .source import bucket_points
from .static import STYLE, event_html, rollout_header_html

#: blocks in the static diff
STATIC_BLOCKS = 20
#: characters of a side's body in the static diff
STATIC_DIFF_CHARS = 1_200
#: most points a side gets on the static chart; longer series are summed into buckets
STATIC_POINTS = 150

_CSS = """
.orws-diff-tag{font-weight:700;border:1px solid currentColor;border-radius:4px;padding:0 5px;margin-right:6px}
.orws-op{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--orws-op);margin-top:10px}
.orws-row{border-left:3px solid var(--orws-op);padding-left:8px}
.orws-none{border:1px dashed #8c959f88;border-radius:6px;margin:6px 0;padding:8px;text-align:center;opacity:.7;font-size:12px}
.orws-fold{background:#8c959f1f;border-radius:4px;padding:3px 8px}
.orws-mk-a{background:color-mix(in srgb,light-dark(#cf222e,#f85149) 22%,transparent)}
.orws-mk-b{background:color-mix(in srgb,light-dark(#1a7f37,#3fb950) 24%,transparent)}
"""


def _page(inner: str) -> str:
    return f'{STYLE.replace("</style>", _CSS + "</style>")}<div class="orws orws-static">{inner}</div>'


def _where(a: int | None, b: int | None) -> str:
    return " ↔ ".join(f"{side} #{idx}" for side, idx in (("A", a), ("B", b)) if idx is not None)


def _span(lo: int | None, hi: int | None) -> str:
    return f"#{lo}" if lo == hi else f"#{lo}–{hi}"


def marked_html(marked: Marked, side: Literal["a", "b"]) -> str:
    """A side's marked body: the segments, what differs in a span of its own."""
    parts = [
        f'<span class="orws-mk-{side}">{esc(text)}</span>' if flag else esc(text) for text, flag in marked.segments
    ]
    shown = sum(len(text) for text, _ in marked.segments)
    more = f'<div class="orws-note">… {marked.full - shown:,} more characters</div>' if marked.full > shown else ""
    return f"<pre>{''.join(parts)}</pre>{more}"


def _heads(al: Alignment) -> str:
    cells = []
    for side, rec in (("a", al.a), ("b", al.b)):
        colour = css_pair(*SIDE_COLOURS[side])
        tag = f'<span class="orws-diff-tag" style="color:{colour}">{side.upper()}</span>'
        cells.append(
            f'<div style="border-top:3px solid {colour};padding-top:4px">{tag}{rollout_header_html(rec)}</div>'
        )
    return f'<div class="orws-cols">{"".join(cells)}</div>'


def _counts(al: Alignment) -> str:
    parts = [
        f'<span style="color:{css_pair(OP_LOOKS[op].light, OP_LOOKS[op].dark)}"><b>{n:,}</b> {esc(OP_LOOKS[op].label)}</span>'
        for op, n in al.counts.items()
        if n
    ]
    first = al.first
    if first is not None:
        row = al.rows[first]
        parts.append(f"<b>first divergence: {esc(_where(row.a, row.b))}</b>")
    elif al.rows:
        parts.append("the rollouts do not diverge: every step is identical")
    else:
        parts.append("both rollouts are empty")
    return f'<div class="orws-note">{" · ".join(parts)}</div>'


# --- the reward chart ----------------------------------------------------------------------
_W, _H, _L, _P = 640, 130, 44, 10


def chart_svg(al: Alignment) -> str:
    """Both rollouts' cumulative rewards (lines) and step rewards (dots) along the aligned rows; the
    first divergence as a dashed line ('' when neither has a reward)."""
    series = {side: bucket_points(al.rewards(side), STATIC_POINTS) for side in ("a", "b")}
    if not any(series.values()):
        return ""
    values = [v for pts in series.values() for _, s, c in pts for v in (s, c)] + [0.0]
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1
    span = max(1, len(al) - 1)

    def px(i: float) -> float:
        return _L + i / span * (_W - _L - _P)

    def py(v: float) -> float:
        return _P + (1 - (v - lo) / (hi - lo)) * (_H - 2 * _P)

    out = [f'<line x1="{_L}" x2="{_W - _P}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="currentColor" opacity="0.3"/>']
    for v in (hi, lo):
        out.append(f'<text x="{_L - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{esc(fmt_reward(v))}</text>')
    if al.first is not None:
        x = px(al.first)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_P}" y2="{_H - _P}" '
            'style="stroke:light-dark(#cf222e,#f85149);stroke-dasharray:4 3"/>'
            f'<text x="{x + 4:.1f}" y="{_P + 9}" style="fill:light-dark(#cf222e,#f85149)">first divergence</text>'
        )
    for side, pts in series.items():
        if not pts:
            continue
        colour = css_pair(*SIDE_COLOURS[side])
        line = [(0.0, 0.0)]
        for i, _, c in pts:
            line += [(i, line[-1][1]), (i, c)]
        points = " ".join(f"{px(i):.1f},{py(c):.1f}" for i, c in line)
        out.append(f'<polyline points="{points}" style="fill:none;stroke:{colour};stroke-width:1.6"/>')
        out += [
            f'<circle cx="{px(i):.1f}" cy="{py(s):.1f}" r="3" style="fill:{colour}">'
            f"<title>{side.upper()}: step {int(i)} reward {esc(fmt_reward(s))} cumulative {esc(fmt_reward(c))}</title></circle>"
            for i, s, c in pts
        ]
    legend = " · ".join(
        f'<span style="color:{css_pair(*SIDE_COLOURS[side])}">━ {side.upper()} cumulative reward</span>'
        for side in series
    )
    svg = f'<svg width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" role="img">{"".join(out)}</svg>'
    return f'<div class="orws-charts">{svg}</div><div class="orws-note">{legend}, along the aligned steps</div>'


# --- blocks ------------------------------------------------------------------------------
def _op_bar(row: Row, first: bool) -> str:
    lk = OP_LOOKS[row.op]
    label = lk.label + (f" · {row.similarity:.0%} alike" if row.op == "changed" and row.similarity is not None else "")
    badge = ' <span class="orws-badge orws-bad">first divergence</span>' if first else ""
    return f'<div class="orws-op">{esc(label)}{badge}</div>'


def _row_html(row: Row, first: bool, events_a: dict[int, EventRecord], events_b: dict[int, EventRecord]) -> str:
    colour = css_pair(OP_LOOKS[row.op].light, OP_LOOKS[row.op].dark)
    if row.op == "equal" and row.a is not None:
        return f'<div class="orws-row" style="--orws-op:transparent">{event_html(events_a[row.a], STATIC_DIFF_CHARS, label=_where(row.a, row.b))}</div>'
    ev_a = events_a.get(row.a) if row.a is not None else None
    ev_b = events_b.get(row.b) if row.b is not None else None
    marks: tuple[str | None, str | None] = (None, None)
    if ev_a is not None and ev_b is not None:
        ma, mb = pair_marks(ev_a, ev_b, STATIC_DIFF_CHARS)
        marks = (marked_html(ma, "a"), marked_html(mb, "b"))
    cells = []
    for side, ev, mark in (("A", ev_a, marks[0]), ("B", ev_b, marks[1])):
        if ev is None:
            cells.append(f'<div class="orws-none">not in {side}</div>')
        else:
            cells.append(f"<div>{event_html(ev, STATIC_DIFF_CHARS, label=f'{side} #{ev.idx}', marked=mark)}</div>")
    return f'<div class="orws-row" style="--orws-op:{colour}">{_op_bar(row, first)}<div class="orws-cols">{"".join(cells)}</div></div>'


def diff_html(al: Alignment, limit: int = STATIC_BLOCKS) -> str:
    """Headers, counts, the reward chart, then the first ``limit`` blocks: the identical steps before the
    first divergence fold into one, so it is among the first three."""
    blocks = al.blocks
    shown = blocks[:limit]
    rows = [al.rows[blk.start] for blk in shown if not blk.fold]
    events_a = read_events(al.a, [r.a for r in rows if r.a is not None])
    events_b = read_events(al.b, [r.b for r in rows if r.b is not None and r.op != "equal"])
    parts = []
    for blk in shown:
        if blk.fold:
            first, last = al.rows[blk.start], al.rows[blk.stop - 1]
            n = blk.stop - blk.start
            parts.append(
                f'<div class="orws-note orws-fold">⋯ {n:,} identical steps · A {esc(_span(first.a, last.a))} · '
                f"B {esc(_span(first.b, last.b))}</div>"
            )
        else:
            parts.append(_row_html(al.rows[blk.start], blk.start == al.first, events_a, events_b))
    left = len(blocks) - len(shown)
    if left > 0:
        parts.append(
            f'<div class="orws-note">… {left:,} more blocks not shown in this static view; '
            "open the notebook in a running kernel for the interactive one.</div>"
        )
    return _page(f"{_heads(al)}{_counts(al)}{chart_svg(al)}{''.join(parts)}")
