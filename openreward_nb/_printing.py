"""``print_messages=True``: each logged event printed to the terminal as the views print it.

The formatter is the views' own (:func:`openreward_nb.viz.text.event_text`), imported on the
first printed event so that ``import openreward_nb`` stays light.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .events import Event

_RULE = "─" * 72


def print_event(
    event: Event, index: int, reward: float | None, is_finished: bool, stream: TextIO | None = None
) -> None:
    """Print one event (whole) to ``stream`` (stdout) under a rule, coloured when it is a terminal."""
    from .viz.text import event_text

    out = stream or sys.stdout
    color = bool(getattr(out, "isatty", lambda: False)())
    rule = f"\033[2m{_RULE}\033[0m" if color else _RULE
    text = event_text(event, index=index, reward=reward, finished=is_finished, color=color, chars=None, lines=None)
    print(f"{rule}\n{text}", file=out)
