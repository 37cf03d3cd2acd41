"""Search results as text (a terminal, ``text/plain``) and as static HTML, grouped by rollout with each
match highlighted in its snippet.

Snippets, names and ids come from the store: in text each piece passes ``terminal_line`` before our
own colour (or ``«»`` marks) is added; in HTML each piece is escaped and the match wrapped in
``<mark>``, so no stored text is ever markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from ..counts import count
from ..fulltext.hits import Hit
from ..safe_text import terminal_line
from .presentation import css_colour, look
from .render import esc, fmt_reward
from .static import STYLE

#: how a match is marked in text without colour
MARKS = ("«", "»")
_SGR_MATCH = "1;30;43"  # bold on yellow


def rollout_label(hit: Hit) -> str:
    """``run/rollout name`` (the id when the rollout has no name), made inert for a terminal."""
    name = hit.rollout_name or hit.rollout_id
    return f"{terminal_line(hit.run, 60)}/{terminal_line(name, 60)}"


def marked_snippet(hit: Hit, *, color: bool = False) -> str:
    """The snippet on one inert line, the match in colour (or between « »)."""
    before, match, after = (
        terminal_line(hit.snippet[: hit.start]),
        terminal_line(hit.snippet[hit.start : hit.end]),
        terminal_line(hit.snippet[hit.end :]),
    )
    marked = f"\033[{_SGR_MATCH}m{match}\033[0m" if color else f"{MARKS[0]}{match}{MARKS[1]}"
    return before + marked + after


def hit_line(hit: Hit, *, color: bool = False) -> str:
    """``#idx type [tool]  snippet`` for one hit."""
    label = look(hit.type).label
    name = f" {terminal_line(hit.name, 40)}" if hit.name and hit.field != "name" else ""
    head = f"#{hit.idx:<5} {terminal_line(label, 20)}{name}"
    return f"    {head:<32} {marked_snippet(hit, color=color)}"


def rollout_header(hit: Hit, *, color: bool = False) -> str:
    reward = fmt_reward(hit.total_reward) or "-"
    text = f"{rollout_label(hit)}  (rollout {terminal_line(hit.rollout_id, 60)}, total reward {reward})"
    return f"\033[1m{text}\033[0m" if color else text


def hit_lines(hits: Iterable[Hit], *, color: bool = False) -> Iterator[str]:
    """Lines for hits in the order they come: a rollout's header line whenever the rollout changes."""
    current = None
    for hit in hits:
        if hit.rollout_id != current:
            current = hit.rollout_id
            yield rollout_header(hit, color=color)
        yield hit_line(hit, color=color)


def summary_line(hits: Sequence[Hit], more: bool) -> str:
    """``N matching events in M rollouts`` (``N+`` when more were left out)."""
    rollouts = len({h.rollout_id for h in hits})
    plus = "+" if more else ""
    return f"{count(len(hits), 'matching event')}{plus} in {count(rollouts, 'rollout')}"


def search_text(query: str, hits: Sequence[Hit], more: bool, note: str | None = None) -> str:
    """The whole result as plain text: what was searched, the count, then the hits by rollout."""
    lines = [f"search {terminal_line(query, 200)!s}: {summary_line(hits, more)}"]
    if note:
        lines.append(f"({terminal_line(note, 300)})")
    lines += list(hit_lines(_grouped(hits)))
    if more:
        lines.append("… more matches: search(..., limit=...) or the live view to see them")
    return "\n".join(lines)


def _grouped(hits: Sequence[Hit]) -> list[Hit]:
    """Hits grouped by rollout (in the order each rollout first matched), each group in index order."""
    order: dict[str, list[Hit]] = {}
    for hit in hits:
        order.setdefault(hit.rollout_id, []).append(hit)
    return [h for group in order.values() for h in group]


def _snippet_html(hit: Hit) -> str:
    s = hit.snippet
    return f"{esc(s[: hit.start])}<mark>{esc(s[hit.start : hit.end])}</mark>{esc(s[hit.end :])}"


def search_html(query: str, filters: str, hits: Sequence[Hit], more: bool, note: str | None = None) -> str:
    """The static rendering: the query and filters, counts per run, then hits grouped by rollout."""
    runs = Counter(h.run for h in hits)
    plus = "+" if more else ""
    counts = " · ".join(f"{esc(run)} <b>{n:,}{plus}</b>" for run, n in runs.most_common())
    parts = [
        f"<div><b>search</b> <code>{esc(query)}</code> {esc(filters)}</div>",
        f'<div class="orws-note">{esc(summary_line(hits, more))}{" · by run: " + counts if counts else ""}</div>',
    ]
    if note:
        parts.append(f'<div class="orws-note">{esc(note)}</div>')
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.rollout_id, []).append(hit)
    for group in groups.values():
        first = group[0]
        reward = fmt_reward(first.total_reward) or "–"
        rows = "".join(
            f'<div class="orws-ev" style="--orws-c:{css_colour(look(h.type))}"><span class="orws-head">#{h.idx} '
            f'<span class="orws-kind">{esc(look(h.type).label)}</span>'
            f"{' ' + esc(h.name) if h.name else ''}</span> {_snippet_html(h)}</div>"
            for h in group
        )
        parts.append(
            f'<div style="margin-top:8px"><b>{esc(first.run)}</b> / {esc(first.rollout_name or first.rollout_id)} '
            f"<code>{esc(first.rollout_id)}</code> · total reward <b>{esc(reward)}</b> · "
            f"{esc(count(len(group), 'match', 'matches'))}</div>{rows}"
        )
    if more:
        parts.append('<div class="orws-note">… more matches (the live view pages through them)</div>')
    return f'{STYLE}<div class="orws orws-static">{"".join(parts)}</div>'
