"""openreward_nb: record LLM-agent rollouts and inspect them in Jupyter.

The recording API is a drop-in for the rollout API of the OpenReward SDK::

    from openreward_nb import OpenReward, UserMessage
    client = OpenReward()
    rollout = client.rollout.create(run_name="my-run")
    rollout.log(UserMessage("hi"), reward=1.0, is_finished=True)
    client.rollout.close()
"""

from __future__ import annotations

from ._version import __version__
from .client import AsyncOpenReward, OpenReward
from .errors import (
    ClientClosedError,
    NotFoundError,
    RolloutClosedError,
    StoreOpenError,
    StoreWriteError,
)
from .events import Attachment, Event, Usage
from .messages import (
    AssistantMessage,
    ReasoningItem,
    RolloutInfo,
    RunInfo,
    SystemMessage,
    ToolCall,
    ToolResult,
    UploadType,
    UserMessage,
)
from .records import EventRecord, RolloutRecord, RunRecord
from .rollout import Rollout

# Heavy parts (pandas, plotly, widgets, provider SDKs) load on first use: name -> module.
_LAZY: dict[str, str] = {}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openreward_nb' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "AssistantMessage",
    "AsyncOpenReward",
    "Attachment",
    "ClientClosedError",
    "Event",
    "EventRecord",
    "NotFoundError",
    "OpenReward",
    "ReasoningItem",
    "Rollout",
    "RolloutClosedError",
    "RolloutInfo",
    "RolloutRecord",
    "RunInfo",
    "RunRecord",
    "StoreOpenError",
    "StoreWriteError",
    "SystemMessage",
    "ToolCall",
    "ToolResult",
    "UploadType",
    "Usage",
    "UserMessage",
    "__version__",
    *_LAZY,
]
