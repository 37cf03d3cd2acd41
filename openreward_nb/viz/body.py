"""What an event's body shows, decided once for every view: its main text (clipped), in which
format, and for reasoning the line it folds behind. The views only draw the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .presentation import look

#: the JSON text longest laid out again for reading; longer text is shown as it came
MAX_PRETTY_CHARS = 200_000
#: longest folded line of a reasoning entry
TITLE_CHARS = 160

#: what a view draws: the formats of presentation.BodyFormat once resolved for one event
Shown = Literal["markdown", "text", "json", "folded"]


class EventLike(Protocol):
    """What the body needs of an event: a logged :class:`~openreward_nb.events.Event` or a stored record."""

    type: str
    content: str | None
    content_reference: str | None
    summary: str | None


@dataclass(slots=True)
class Body:
    """An event's body as every view shows it."""

    #: how to draw ``text``
    format: Shown
    #: the main text, clipped to the limit asked for
    text: str
    #: the main text's whole length
    full: int
    #: ``folded``: the line shown while folded (the summary's first line, else the text's)
    title: str | None = None
    #: ``folded``: the rest of the summary (markdown source), shown when unfolded
    note: str | None = None


def json_layout(value: Any) -> str:
    """``value`` as indented JSON (non-ASCII kept): the one JSON layout of every view."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def parse_json(text: str) -> tuple[bool, Any]:
    """(True, value) when ``text`` is one JSON value small enough to lay out again, else (False, None)."""
    if len(text) > MAX_PRETTY_CHARS or text[:1] not in ("{", "[", '"'):
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def tool_output(text: str) -> tuple[Shown, str]:
    """A tool's output for reading: text as text (a JSON string, or an object wrapping one string,
    such as ``{"result": "..."}``, unwrapped), structured JSON as indented JSON."""
    ok, value = parse_json(text)
    if not ok:
        return "text", text
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, str):
            return "text", inner
    if isinstance(value, str):
        return "text", value
    if isinstance(value, (dict, list)):
        return "json", json_layout(value)
    return "text", text


def fold_title(text: str, width: int = TITLE_CHARS) -> tuple[str, str]:
    """(the first line, the rest) of ``text``: a ``**bold**`` title loses its markers; a line longer
    than ``width`` is cut for the title and the rest is then the whole text (nothing lost, little repeated)."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    first = first.strip()
    if first.startswith("**") and first.count("**") >= 2:
        end = first.index("**", 2)
        first = first[2:end] + first[end + 2 :]
    if len(first) > width:
        return first[: width - 1] + "…", stripped
    return first, rest.strip("\n")


def _clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit]


def event_body(ev: EventLike, limit: int | None) -> Body:
    """``ev``'s body as its kind's look says, its main text clipped to ``limit`` characters (None: whole)."""
    text = ev.content or ""
    kind = look(ev.type).body
    if kind == "folded":
        return _folded(ev, text, limit)
    shown: Shown
    if kind == "json":
        ok, value = parse_json(text)
        shown, text = ("json", json_layout(value)) if ok and isinstance(value, (dict, list)) else ("text", text)
    elif kind == "output":
        shown, text = tool_output(text)
    elif kind == "markdown":
        shown = "markdown"
    else:
        shown = "text"
    return Body(shown, _clip(text, limit), len(text))


def _folded(ev: EventLike, text: str, limit: int | None) -> Body:
    """Reasoning: folded behind the summary's first line, or the text's when there is no summary."""
    summary = (ev.summary or "").strip()
    if summary:
        title, note = fold_title(summary)
        return Body("folded", _clip(text, limit), len(text), title, note or None)
    if text.strip():
        title, rest = fold_title(text)
        return Body("folded", _clip(rest, limit), len(rest), title)
    title = "encrypted reasoning" if ev.content_reference else "reasoning (empty)"
    return Body("folded", "", 0, title)
