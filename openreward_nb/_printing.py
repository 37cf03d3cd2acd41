"""``print_messages=True``: each logged event printed readably to the terminal."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from .events import Event

_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"
_STYLE = {
    "system_message": ("\033[2m", "system"),
    "user_message": ("\033[1m", "user"),
    "assistant_message": ("\033[34m", "assistant"),
    "reasoning": ("\033[35m", "reasoning"),
    "tool_call": ("\033[33m", "tool call"),
    "tool_result": ("\033[32m", "tool result"),
}
_RULE = "─" * 72


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return text


def format_event(event: Event, index: int, reward: float | None, is_finished: bool, color: bool = True) -> str:
    """A short block of text describing one event (colour codes when ``color``)."""
    tint, label = _STYLE.get(event.type, ("", event.type))
    if not color:
        tint = dim = bold = reset = ""
    else:
        dim, bold, reset = _DIM, _BOLD, _RESET
    head = f"{tint}{bold}#{index} {label}{reset}"
    if event.kind:
        head += f" {dim}({event.kind}){reset}"
    if event.name:
        head += f" {bold}{event.name}{reset}"
    if event.call_id:
        head += f" {dim}call_id={event.call_id}{reset}"
    if reward is not None:
        head += f"  reward={reward:g}"
    if is_finished:
        head += "  [finished]"
    if event.is_error:
        head += "  [error]"
    body = []
    if event.summary:
        body.append(f"{dim}summary: {event.summary}{reset}")
    if event.content:
        text = _pretty(event.content) if event.type in ("tool_call", "tool_result") else event.content
        body.append(text)
    elif event.content_reference:
        body.append(f"{dim}(hidden: {event.content_reference[:60]}){reset}")
    return "\n".join([f"{dim}{_RULE}{reset}", head, *body])


def print_event(
    event: Event, index: int, reward: float | None, is_finished: bool, stream: TextIO | None = None
) -> None:
    """Print one event to ``stream`` (stdout), coloured when it is a terminal."""
    out = stream or sys.stdout
    color = bool(getattr(out, "isatty", lambda: False)())
    print(format_event(event, index, reward, is_finished, color=color), file=out)
