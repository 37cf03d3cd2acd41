"""A small run recorded through the real API, on both backends (PostgreSQL when configured)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from openreward_nb import AssistantMessage, OpenReward, ToolCall, ToolResult, UserMessage

# every test here runs on SQLite and, when OPENREWARD_NB_TEST_PG_URL is set, on PostgreSQL
from ..store.conftest import _close_stores_opened_by_the_test, backend, pg_url, store_url  # noqa: F401


@dataclass
class Run:
    """The client that recorded the run and its rollout ids, in creation order."""

    client: OpenReward
    ids: list[str]


def record_run(client: OpenReward, name: str = "ctf", n: int = 4) -> list[str]:
    """``n`` finished rollouts of 4 events each: a user prompt, a tool call and result, an answer."""
    ids = []
    for k in range(n):
        with client.rollout.create(name, rollout_name=f"ep{k}", task_spec={"id": f"t{k % 2}"}) as r:
            r.log(UserMessage("find the flag"))
            r.log(ToolCall(name="bash", content='{"cmd": "ls"}', call_id="c1"))
            r.log(ToolResult(content="flag.txt", call_id="c1"))
            r.log(AssistantMessage(f"answer {k}"), reward=float(k), is_finished=True)
            ids.append(r.id)
    client.rollout.flush()
    return ids


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    """Annotations written by the tests carry one known author unless a test says otherwise."""
    monkeypatch.setenv("OPENREWARD_NB_AUTHOR", "tester")


@pytest.fixture
def run(client: OpenReward) -> Run:
    return Run(client, record_run(client))


def count_annotations(client: OpenReward) -> int:
    """How many annotation rows the store holds (to show a refused call wrote nothing)."""
    return int(client.store.query("SELECT COUNT(*) FROM annotations")[0][0])
