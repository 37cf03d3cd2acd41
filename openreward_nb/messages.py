"""The generic message classes and run/rollout info records of the OpenReward SDK.

Field names, order and defaults match ``openreward`` 0.1.167 so that scripts written
for it keep working after swapping the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TrainingStage = Literal["pretrained", "sft", "rl"]
RunType = Literal["train", "eval", "adhoc"]


@dataclass
class UserMessage:
    """A prompt from the user (or the environment speaking as the user)."""

    content: str
    type: Literal["user_message"] = "user_message"


@dataclass
class AssistantMessage:
    """Visible text written by the model."""

    content: str
    type: Literal["assistant_message"] = "assistant_message"


@dataclass
class SystemMessage:
    """A system prompt."""

    content: str
    type: Literal["system_message"] = "system_message"


@dataclass
class ReasoningItem:
    """Model reasoning: visible text, an opaque reference to hidden reasoning, or a summary."""

    content: str | None = None
    content_reference: str | None = None
    summary: str | None = None
    type: Literal["reasoning"] = "reasoning"


@dataclass
class ToolCall:
    """A tool call: ``content`` holds the arguments as JSON text."""

    name: str
    content: str
    call_id: str
    type: Literal["tool_call"] = "tool_call"


@dataclass
class ToolResult:
    """The output of a tool call, joined to it by ``call_id``."""

    content: str
    call_id: str
    type: Literal["tool_result"] = "tool_result"


UploadType = UserMessage | AssistantMessage | SystemMessage | ReasoningItem | ToolCall | ToolResult


@dataclass
class RunInfo:
    """Run-level context, constant for every rollout of a training or eval run."""

    model_name: str
    run_type: RunType | None = None
    model_params: int | None = None
    model_active_params: int | None = None
    training_stage: TrainingStage | None = None
    initial_step: int | None = None
    checkpoint: str | None = None
    peft_type: str | None = None
    peft_rank: int | None = None
    rl_algorithm: str | None = None
    batch_size: int | None = None
    lr: float | None = None
    optimizer: str | None = None
    framework: str | None = None
    framework_version: str | None = None


@dataclass
class RolloutInfo:
    """Rollout-level context (task index, training step, sampling settings)."""

    task_index: int
    env_version: str | None = None
    current_step: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    num_compactions: int | None = None
    duration_ms: int | None = None
    harness: str | None = None
