"""What differs between the two events of a changed step, marked for the views: words of text,
keys of JSON (tool arguments and outputs).

Each side's body is what the timeline shows for it (:mod:`.body`); a side's marks are segments
``(text, marked)`` that put together give that body. JSON on both sides is compared key by
key: a key only one side has, or whose value differs, is marked whole on its side, and objects
and lists found on both sides are compared inside. Anything else is compared word by word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from .body import EventLike, event_body, json_layout

#: a side's body in pieces: (text, whether it differs from the other side)
Segments = list[tuple[str, bool]]
#: words, runs of white space, and single other characters
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_INDENT = 2


@dataclass(slots=True)
class Marked:
    """One side of a changed step: its body in marked segments (clipped), and the body's whole length."""

    format: Literal["text", "json"]
    segments: Segments
    full: int


def comparable(ev: EventLike) -> tuple[Literal["text", "json"], str, Any]:
    """(format, text, JSON value or None) of what is compared: the body as the timeline shows it;
    reasoning unfolded (its summary, then its text)."""
    body = event_body(ev, None)
    if body.format == "json":  # laid out from a JSON object or list (see body.event_body)
        return "json", body.text, json.loads(body.text)
    if body.format == "folded":
        return "text", "\n\n".join(p for p in (ev.summary, ev.content) if p), None
    return "text", body.text, None


def pair_marks(a: EventLike, b: EventLike, limit: int | None) -> tuple[Marked, Marked]:
    """Both sides of a changed step marked, each clipped to ``limit`` characters (None: whole)."""
    fa, ta, va = comparable(a)
    fb, tb, vb = comparable(b)
    if fa == fb == "json":
        sa, sb = json_segments(va, vb, True), json_segments(vb, va, True)
        return Marked("json", _clip(sa, limit), len(ta)), Marked("json", _clip(sb, limit), len(tb))
    sa, sb = word_segments(ta[:limit] if limit is not None else ta, tb[:limit] if limit is not None else tb)
    return Marked("text", sa, len(ta)), Marked("text", sb, len(tb))


# --- words ------------------------------------------------------------------------------
def word_ops(a: str, b: str) -> list[tuple[str, str, str]]:
    """The word-level diff of two texts: (tag, A's text, B's text) with difflib's tags, in order."""
    ta, tb = _TOKENS.findall(a), _TOKENS.findall(b)
    ops = SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
    return [(tag, "".join(ta[i1:i2]), "".join(tb[j1:j2])) for tag, i1, i2, j1, j2 in ops]


def word_segments(a: str, b: str) -> tuple[Segments, Segments]:
    """Both texts in segments, the words that differ marked."""
    sa: Segments = []
    sb: Segments = []
    for tag, ta, tb in word_ops(a, b):
        same = tag == "equal"
        _add(sa, ta, not same)
        _add(sb, tb, not same)
    return sa, sb


# --- JSON by key ----------------------------------------------------------------------------
def same_json(x: Any, y: Any) -> bool:
    """Equal as JSON values (so ``1`` and ``true``, or ``1`` and ``1.0``, differ; key order does not count)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, (dict, list)):
        return json.dumps(x, sort_keys=True) == json.dumps(y, sort_keys=True)
    return bool(x == y)


def json_segments(value: Any, other: Any, has_other: bool) -> Segments:
    """``value`` laid out as the timeline lays it out (:func:`.body.json_layout`), in segments: what
    ``other`` lacks or holds differently marked."""
    out: Segments = []
    _emit(value, other, has_other, 0, out)
    return out


def _layout(value: Any, indent: int) -> str:
    return json_layout(value).replace("\n", "\n" + " " * indent)


def _emit(value: Any, other: Any, has_other: bool, indent: int, out: Segments) -> None:
    both = has_other and type(value) is type(other) and isinstance(value, (dict, list)) and value and other
    if not both:
        _add(out, _layout(value, indent), not (has_other and same_json(value, other)))
        return
    inner = " " * (indent + _INDENT)
    items: list[tuple[str, Any, bool, Any]]
    if isinstance(value, dict):
        _add(out, "{\n", False)
        items = [(json.dumps(k, ensure_ascii=False) + ": ", v, k in other, other.get(k)) for k, v in value.items()]
        close = "}"
    else:
        _add(out, "[\n", False)
        items = [("", v, k < len(other), other[k] if k < len(other) else None) for k, v in enumerate(value)]
        close = "]"
    for n, (label, child, present, match) in enumerate(items):
        _add(out, inner, False)
        if present and isinstance(child, (dict, list)) and type(child) is type(match) and child and match:
            _add(out, label, False)
            _emit(child, match, True, indent + _INDENT, out)
        else:
            _add(out, label + _layout(child, indent + _INDENT), not (present and same_json(child, match)))
        _add(out, ",\n" if n < len(items) - 1 else "\n", False)
    _add(out, " " * indent + close, False)


def key_changes(a: Any, b: Any, path: str = "") -> list[tuple[str, str, Any, Any]]:
    """What differs between two JSON values, key by key: (path, "changed" | "only_a" | "only_b",
    A's value, B's value), paths such as ``args.files[2]``."""
    if same_json(a, b):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[tuple[str, str, Any, Any]] = []
        for k in [*a, *(k for k in b if k not in a)]:
            at = f"{path}.{k}" if path else str(k)
            if k not in b:
                found.append((at, "only_a", a[k], None))
            elif k not in a:
                found.append((at, "only_b", None, b[k]))
            else:
                found += key_changes(a[k], b[k], at)
        return found
    if isinstance(a, list) and isinstance(b, list):
        found = []
        for k in range(max(len(a), len(b))):
            at = f"{path}[{k}]"
            if k >= len(b):
                found.append((at, "only_a", a[k], None))
            elif k >= len(a):
                found.append((at, "only_b", None, b[k]))
            else:
                found += key_changes(a[k], b[k], at)
        return found
    return [(path or "(value)", "changed", a, b)]


# --- segments ---------------------------------------------------------------------------
def _add(out: Segments, text: str, marked: bool) -> None:
    if not text:
        return
    if out and out[-1][1] == marked:
        out[-1] = (out[-1][0] + text, marked)
    else:
        out.append((text, marked))


def _clip(segments: Segments, limit: int | None) -> Segments:
    if limit is None:
        return segments
    out: Segments = []
    left = limit
    for text, marked in segments:
        if left <= 0:
            break
        out.append((text[:left], marked))
        left -= len(text)
    return out
