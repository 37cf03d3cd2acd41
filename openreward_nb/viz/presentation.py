"""How each kind of event looks, in one table: every view (terminal, static HTML, the widgets,
``print_messages``) reads it, and the widgets' JavaScript receives it as data.

Adding an event kind, or changing how one renders, is a row here plus, for a new body
format, the drawing code of each view. Light on purpose: nothing heavy is imported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from types import MappingProxyType
from typing import Literal

#: How an event's body is shown:
#: ``markdown`` rendered (raw HTML off), ``text`` as it is, ``json`` laid out as JSON,
#: ``output`` a tool's output (its text when it is text or one wrapped string, else JSON),
#: ``folded`` behind its first line (reasoning).
BodyFormat = Literal["markdown", "text", "json", "output", "folded"]


@dataclass(frozen=True, slots=True)
class Look:
    """The presentation of one event kind."""

    #: the kind's name in a view ("tool call")
    label: str
    #: its colour on a light background and on a dark one (CSS colours)
    light: str
    dark: str
    #: its terminal style: SGR parameters ("34" blue, "1" bold)
    ansi: str
    #: one character shown before the label in the HTML views
    icon: str
    #: how its body renders
    body: BodyFormat


LOOKS: MappingProxyType[str, Look] = MappingProxyType(
    {
        "system_message": Look("system", "#6e7781", "#8b949e", "2", "⚙", "text"),
        "user_message": Look("user", "#1f6feb", "#58a6ff", "1", "◉", "text"),
        "assistant_message": Look("assistant", "#1a7f37", "#3fb950", "34", "◆", "markdown"),
        "reasoning": Look("reasoning", "#8250df", "#a371f7", "35", "✻", "folded"),
        "tool_call": Look("tool call", "#9a6700", "#d29922", "33", "⚒", "json"),
        "tool_result": Look("tool result", "#0a7ea4", "#39c5cf", "32", "↩", "output"),
    }
)

#: the look of an event type this version does not know (a newer store's): grey text
_UNKNOWN = Look("", "#6e7781", "#8b949e", "", "•", "text")


def look(event_type: str) -> Look:
    """The look of ``event_type`` (an unknown type: grey, its own name as the label)."""
    found = LOOKS.get(event_type)
    if found is None:
        return Look(event_type, _UNKNOWN.light, _UNKNOWN.dark, _UNKNOWN.ansi, _UNKNOWN.icon, _UNKNOWN.body)
    return found


@cache
def looks_data() -> dict[str, dict[str, str]]:
    """The table as the widgets' JavaScript receives it (``{type: {label, light, dark, icon, body}}``), in order."""
    return {t: {k: v for k, v in asdict(lk).items() if k != "ansi"} for t, lk in LOOKS.items()}


def css_colour(lk: Look) -> str:
    """The look's colour for CSS, following the page's light or dark scheme."""
    return f"light-dark({lk.light}, {lk.dark})"


#: how a reward is toned: above zero good, below bad, zero neutral
RewardTone = Literal["good", "bad", "zero"]


def reward_tone(value: float) -> RewardTone:
    """``good`` above zero, ``bad`` below, ``zero`` at zero (a reward of 0 is not a success)."""
    return "good" if value > 0 else "bad" if value < 0 else "zero"


#: terminal styles of a reward's tone
REWARD_ANSI: MappingProxyType[str, str] = MappingProxyType({"good": "32", "bad": "31", "zero": ""})
