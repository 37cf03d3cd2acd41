"""The environment-side types, with the fields of the OpenReward SDK's client types.

``openreward`` need not be installed: these mirror ``openreward.api.environments.types``
(``Task``, ``TextBlock``, ``ToolSpec``, ``ToolOutput``) and ``ToolCallError``, so code written
against an OpenReward environment reads the same against the demo one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ToolCallErrorReason = Literal["not_found", "name_collision", "input_validation", "bad_input_shape", "episode_finished"]


@dataclass
class Task:
    """One task of an environment: ``task_spec`` is what a session is created from.

    ``index`` (its position in the split) is an addition of the demo; the SDK's Task has none.
    """

    server_name: str
    environment_name: str
    task_spec: Mapping[str, Any]
    namespace: str | None
    index: int | None = None

    @property
    def deployment_name(self) -> str:
        """``namespace/server_name`` (just the server name without a namespace)."""
        return self.server_name if self.namespace is None else f"{self.namespace}/{self.server_name}"


@dataclass
class TextBlock:
    """A text content block (prompts and tool outputs)."""

    text: str
    detail: Mapping[str, Any] | None = None
    type: Literal["text"] = "text"


@dataclass
class ToolSpec:
    """A tool as the environment lists it: name, description and JSON schema of its input."""

    name: str
    description: str
    input_schema: Mapping[str, Any] | None


@dataclass
class ToolOutput:
    """What a tool call returns: text blocks, the step's reward and whether the episode ended."""

    blocks: list[TextBlock]
    metadata: Mapping[str, Any] | None = None
    reward: float | None = None
    finished: bool = False


class ToolCallError(Exception):
    """A tool call that cannot run: unknown tool, invalid input, or the episode already finished."""

    def __init__(self, reason: ToolCallErrorReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")
