"""The provider-neutral view of an episode: what the model was asked, did and saw, and its next step.

Each offline provider parses its request (the chat history the client sends back) into an
:class:`Episode`; the policy answers with a :class:`Step`, which the provider writes out in its
own response format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Action:
    """A tool call: tool name and arguments."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Observation:
    """A tool call made earlier in the episode and the text of its result."""

    action: Action
    output: str


@dataclass
class Episode:
    """The history a request carries: the task prompt, the tools offered, and each tool call with its result."""

    prompt: str
    tools: tuple[str, ...] = ()
    observations: list[Observation] = field(default_factory=list)
    turns: int = 0


@dataclass(frozen=True)
class Step:
    """The model's next turn: reasoning (a title and text), then tool calls, or a final text."""

    title: str
    reasoning: str
    actions: tuple[Action, ...] = ()
    text: str | None = None
