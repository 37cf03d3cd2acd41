"""The generic message classes and run/rollout info records of the OpenReward SDK.

Field names, order and defaults match ``openreward`` 0.1.167 so that scripts written
for it keep working after swapping the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Union

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

    content: Optional[str] = None
    content_reference: Optional[str] = None
    summary: Optional[str] = None
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


UploadType = Union[UserMessage, AssistantMessage, SystemMessage, ReasoningItem, ToolCall, ToolResult]


@dataclass
class RunInfo:
    """Run-level context, constant for every rollout of a training or eval run."""

    model_name: str
    run_type: Optional[RunType] = None
    model_params: Optional[int] = None
    model_active_params: Optional[int] = None
    training_stage: Optional[TrainingStage] = None
    initial_step: Optional[int] = None
    checkpoint: Optional[str] = None
    peft_type: Optional[str] = None
    peft_rank: Optional[int] = None
    rl_algorithm: Optional[str] = None
    batch_size: Optional[int] = None
    lr: Optional[float] = None
    optimizer: Optional[str] = None
    framework: Optional[str] = None
    framework_version: Optional[str] = None


@dataclass
class RolloutInfo:
    """Rollout-level context (task index, training step, sampling settings)."""

    task_index: int
    env_version: Optional[str] = None
    current_step: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    top_k: Optional[int] = None
    max_tokens: Optional[int] = None
    num_compactions: Optional[int] = None
    duration_ms: Optional[int] = None
    harness: Optional[str] = None
