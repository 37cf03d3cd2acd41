"""Untrusted text made inert for a terminal: the one sanitiser every printed path uses.

Rollout ids, run and rollout names, event bodies and server error messages come from a
model, a tool or a remote peer. Printed raw, ``ESC]0;...BEL`` sets the terminal title,
``ESC[2J`` clears the screen, a C1 ``\\x9b`` starts a control sequence, a bidi override
(U+202E) reorders what follows and a zero-width character hides text. Each of these is
shown as a visible escape (``\\x1b``, ``\\u202e``) instead; nothing else changes.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides, isolates and
# marks; zero-width and invisible format characters; line and paragraph separators; lone
# surrogates (a str may hold them; a terminal cannot print them).
_UNSAFE_BLOCK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\ud800-\udfff]"
)
# On one line, tab and newline are shown as escapes too: a name must not break a table row.
_UNSAFE_LINE = re.compile(_UNSAFE_BLOCK.pattern[:-1] + "\t\n]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clip(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when cut."""
    if width is None or len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


def terminal_line(value: Any, width: int | None = None) -> str:
    """``value`` as one inert line (newlines and tabs escaped too), clipped to ``width``."""
    text = "" if value is None else str(value)
    return clip(_UNSAFE_LINE.sub(_visible, text), width)


def terminal_block(value: Any) -> str:
    """``value`` as inert text that keeps its newlines and tabs (a carriage return is escaped)."""
    text = "" if value is None else str(value)
    return _UNSAFE_BLOCK.sub(_visible, text)
