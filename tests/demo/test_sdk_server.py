"""The same CTF tasks served by the official ``openreward`` SDK on loopback: the SDK's own client lists
the same tools as the demo environment, and the agent loop plays a real session."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openreward.environments import Environment, Server, TextBlock, ToolOutput, tool
from pydantic import BaseModel, Field

from openreward_nb import demo
from openreward_nb.demo import Task
from openreward_nb.demo.challenges import SPLITS, challenges

from .agents import ResponsesLoop
from .test_openai import check_episode


class BashInput(BaseModel):
    command: str = Field(description="The command line to run.")


class SubmitFlagInput(BaseModel):
    flag: str = Field(description="The flag, e.g. flag{...}.")


class CTF(Environment):
    """The demo CTF tasks as an ``openreward`` Environment, declared like a real one; tools run in a demo session."""

    def __init__(self, task_spec: Any = None, secrets: Any = None) -> None:
        task_spec = {} if task_spec is None else task_spec
        super().__init__(task_spec, {} if secrets is None else secrets)
        self.demo = demo.DemoEnvironment().session(task=Task("CTF", "ctf", task_spec, None))

    @classmethod
    def list_splits(cls) -> list[str]:
        return list(SPLITS)

    @classmethod
    def list_tasks(cls, split: str) -> list[dict]:
        return [c.task_spec for c in challenges(split)]

    def get_prompt(self) -> list[TextBlock]:
        return [TextBlock(text=self.demo.get_prompt()[0].text)]

    def _run(self, name: str, arguments: dict) -> ToolOutput:
        out = self.demo.call_tool(name, arguments)
        blocks = [TextBlock(text=b.text) for b in out.blocks]
        return ToolOutput(blocks=blocks, metadata=out.metadata, reward=out.reward, finished=out.finished)

    @tool
    async def bash(self, params: BashInput) -> ToolOutput:
        """Run a shell command in the challenge sandbox and return its output."""
        return self._run("bash", params.model_dump())

    @tool
    async def submit_flag(self, params: SubmitFlagInput) -> ToolOutput:
        """Submit the flag. Ends the episode: reward 1.0 if it is correct, else 0.0."""
        return self._run("submit_flag", params.model_dump())


@pytest.fixture(scope="module")
def session_url() -> Iterator[str]:
    """An OpenReward environment server on a loopback port, in a thread."""
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(Server([CTF]).app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the environment server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    listener.close()


@pytest.fixture
def sdk_environment(session_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import openreward

    monkeypatch.setenv("OPENREWARD_DISABLE_UPDATE_CHECK", "1")
    monkeypatch.setenv("OPENREWARD_SESSION_URL", session_url)
    client = openreward.OpenReward(api_key="offline")
    yield client.environments.get(name="ctf")
    client.environments.close()


def test_the_sdk_lists_the_same_tasks_and_tools(sdk_environment: Any) -> None:
    local = demo.environments.get(name="ctf")
    assert sdk_environment.list_splits() == local.list_splits()
    assert [t.task_spec for t in sdk_environment.list_tasks("test")] == [t.task_spec for t in local.list_tasks("test")]
    assert [dataclasses.asdict(s) for s in sdk_environment.list_tools()] == [
        dataclasses.asdict(s) for s in local.list_tools()
    ]
    for fmt in ("openai", "openrouter", "anthropic", "google"):
        assert sdk_environment.list_tools(format=fmt) == local.list_tools(fmt), fmt


def test_the_agent_loop_plays_a_real_session(sdk_environment: Any) -> None:
    task = sdk_environment.list_tasks("train")[6]
    with sdk_environment.session(task=task) as session:
        transcript = ResponsesLoop(demo.openai_client(offline=True), session, "demo-strong").play()
    check_episode(transcript)
