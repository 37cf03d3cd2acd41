"""How the step diff marks things, in one table beside the event kinds' (:mod:`.presentation`):
each op's label, colours and terminal style, and the two sides' colours. Read by the diff widget
(as data), its static HTML and its terminal text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class OpLook:
    """The presentation of one kind of aligned row."""

    #: what a view calls it ("only in A")
    label: str
    #: its colour on a light background and on a dark one (CSS colours)
    light: str
    dark: str
    #: its terminal style (SGR parameters)
    ansi: str
    #: the sign in the terminal's gutter, as in a unified diff
    sign: str


OP_LOOKS: MappingProxyType[str, OpLook] = MappingProxyType(
    {
        "equal": OpLook("identical", "#6e7781", "#8b949e", "2", "="),
        "changed": OpLook("changed", "#9a6700", "#d29922", "33", "~"),
        "only_a": OpLook("only in A", "#cf222e", "#f85149", "31", "-"),
        "only_b": OpLook("only in B", "#1a7f37", "#3fb950", "32", "+"),
    }
)

#: the two rollouts' colours (chart lines, column heads): A blue, B orange
SIDE_COLOURS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {"a": ("#0969da", "#58a6ff"), "b": ("#bc4c00", "#f0883e")}
)
#: terminal styles of marked text: what only A has (red), what only B has (green)
MARK_ANSI: MappingProxyType[str, str] = MappingProxyType({"a": "1;31", "b": "1;32"})
#: the terminal's markers of marked text without colour, as ``git diff --word-diff`` writes them
MARK_PLAIN: MappingProxyType[str, tuple[str, str]] = MappingProxyType({"a": ("[-", "-]"), "b": ("{+", "+}")})


def css_pair(light: str, dark: str) -> str:
    """A colour for CSS that follows the page's light or dark scheme."""
    return f"light-dark({light}, {dark})"


@cache
def looks_data() -> dict[str, object]:
    """The table as the widget's JavaScript receives it: ``{"ops": {op: {...}}, "sides": {a, b}}``."""
    return {
        "ops": {op: {k: v for k, v in asdict(lk).items() if k not in ("ansi", "sign")} for op, lk in OP_LOOKS.items()},
        "sides": {side: css_pair(*pair) for side, pair in SIDE_COLOURS.items()},
    }
