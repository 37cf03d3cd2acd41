"""openreward_nb: record LLM-agent rollouts and inspect them in Jupyter.

The recording API is a drop-in for the rollout API of the OpenReward SDK::

    from openreward_nb import OpenReward, UserMessage
    client = OpenReward()
    rollout = client.rollout.create(run_name="my-run")
    rollout.log(UserMessage("hi"), reward=1.0, is_finished=True)
    client.rollout.close()
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .client import AsyncOpenReward, OpenReward
from .errors import (
    AmbiguousIdError,
    ClientClosedError,
    DetachedRecordError,
    InvalidArgumentError,
    MissingExtraError,
    NotFoundError,
    OpenRewardNBError,
    RemoteAPIError,
    RolloutClosedError,
    StoreNotFoundError,
    StoreOpenError,
    StoreUnavailable,
    StoreWriteError,
    UnknownProviderError,
    UnreadableValueWarning,
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
_LAZY: dict[str, str] = {
    "runs_df": "openreward_nb.frames",
    "rollouts_df": "openreward_nb.frames",
    "events_df": "openreward_nb.frames",
    "tool_calls_df": "openreward_nb.frames",
    "compare_runs": "openreward_nb.frames",
    "plot_compare": "openreward_nb.frames",
    "to_chat_messages": "openreward_nb.frames",
    "export_jsonl": "openreward_nb.frames",
    "compare": "openreward_nb.viz.views",
    "dashboard": "openreward_nb.viz.views",
    "events_arrow": "openreward_nb.frames",
    "diff": "openreward_nb.viz.diffview",
    "diff_df": "openreward_nb.alignment",
    "report": "openreward_nb.reports",
    "tasks_df": "openreward_nb.frames",
    "groups_df": "openreward_nb.frames",
    "steps_df": "openreward_nb.frames",
    "tasks": "openreward_nb.viz.tasksview",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openreward_nb' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext openreward_nb``: the %%rollout and %rollout_config magics."""
    from .magics import load

    load(ipython)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmbiguousIdError",
    "AssistantMessage",
    "AsyncOpenReward",
    "Attachment",
    "ClientClosedError",
    "DetachedRecordError",
    "Event",
    "EventRecord",
    "NotFoundError",
    "OpenReward",
    "OpenRewardNBError",
    "ReasoningItem",
    "RemoteAPIError",
    "Rollout",
    "RolloutClosedError",
    "RolloutInfo",
    "RolloutRecord",
    "RunInfo",
    "RunRecord",
    "StoreOpenError",
    "StoreUnavailable",
    "StoreWriteError",
    "SystemMessage",
    "ToolCall",
    "ToolResult",
    "UnknownProviderError",
    "UnreadableValueWarning",
    "UploadType",
    "Usage",
    "UserMessage",
    "__version__",
    "InvalidArgumentError",
    "MissingExtraError",
    "StoreNotFoundError",
    *_LAZY,
]
