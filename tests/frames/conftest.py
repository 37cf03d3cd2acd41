"""A small store recorded through the real API, on both backends (PostgreSQL when configured)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from openreward_nb import (
    AssistantMessage,
    OpenReward,
    RolloutInfo,
    RunInfo,
    SystemMessage,
    ToolCall,
    ToolResult,
    UserMessage,
)

# every test here runs on SQLite and, when OPENREWARD_NB_TEST_PG_URL is set, on PostgreSQL
from ..store.conftest import _close_stores_opened_by_the_test, backend, pg_url, store_url  # noqa: F401

CLAUDE_TURN = {
    "type": "message",
    "role": "assistant",
    "model": "claude-x",
    "stop_reason": "tool_use",
    "usage": {"input_tokens": 10, "output_tokens": 5},
    "content": [
        {"type": "thinking", "thinking": "look around", "signature": "sig1"},
        {"type": "text", "text": "listing"},
        {"type": "tool_use", "id": "tu1", "name": "bash", "input": {"cmd": "ls"}},
    ],
}
DENIED = {
    "role": "user",
    "content": [{"type": "tool_result", "tool_use_id": "tu1", "content": "denied", "is_error": True}],
}


@dataclass
class Recorded:
    """The client that recorded the store, rollout ids by rollout name, and the store's URL."""

    client: OpenReward
    ids: dict[str, str]
    url: str


def _record(client: OpenReward) -> dict[str, str]:
    create = client.rollout.create
    ids = {}
    with create(
        "alpha",
        rollout_name="a0",
        environment="env/ctf",
        split="train",
        metadata={"model": "gpt", "temperature": 0.5, "tags": ["x", "y"], "judge": {"name": "j1"}},
        task_spec={"id": "t0", "level": 1},
        run_info=RunInfo(model_name="gpt", run_type="train"),
    ) as r:
        ids["a0"] = r.id
        r.log(SystemMessage("be brief"))
        r.log(UserMessage("find the flag"), metadata={"source": "env"})
        r.log_anthropic_message(CLAUDE_TURN)
        r.log_anthropic_message(DENIED, reward=0.0)
        r.log(
            AssistantMessage("FLAG{x}"),
            reward=1.0,
            is_finished=True,
            rollout_info=RolloutInfo(task_index=0, current_step=1),
        )
    with create(
        "alpha", rollout_name="a1", environment="env/ctf", split="test", metadata={"model": "gpt", "temperature": 1.0}
    ) as r:
        ids["a1"] = r.id
        r.log(UserMessage("again"))
        r.log(
            AssistantMessage("no"), reward=0.0, is_finished=True, rollout_info=RolloutInfo(task_index=1, current_step=2)
        )
    r = create("alpha", rollout_name="a2", environment="env/ctf", split="train", metadata={"model": "gpt"})
    ids["a2"] = r.id
    r.log(UserMessage("still running"))
    with create("beta", rollout_name="b0", environment="env/math", split="train", metadata={"model": "claude"}) as r:
        ids["b0"] = r.id
        r.log(ToolCall(name="f", content='{"x": 1}', call_id="dup"))
        r.log(ToolResult(content="r1", call_id="dup"))
        r.log(ToolCall(name="f", content="not json", call_id="dup"))
        r.log(ToolResult(content="r2", call_id="dup"), reward=0.5)
        r.log(ToolCall(name="g", content="{}", call_id="lost"))
        r.log(
            AssistantMessage("ok"), reward=0.5, is_finished=True, rollout_info=RolloutInfo(task_index=0, current_step=1)
        )
    with pytest.raises(RuntimeError):
        with create("beta", rollout_name="b1", environment="env/math", split="test") as r:
            ids["b1"] = r.id
            r.log(UserMessage("crash"))
            raise RuntimeError("tool server down")
    client.rollout.flush()
    return ids


@pytest.fixture
def recorded(client: OpenReward, store_url: str) -> Recorded:  # noqa: F811 - the fixture imported above
    """Runs alpha (a0 finished with an Anthropic tool turn, a1 finished, a2 running) and
    beta (b0 with repeated and unanswered tool calls, b1 failed)."""
    return Recorded(client, _record(client), store_url)
