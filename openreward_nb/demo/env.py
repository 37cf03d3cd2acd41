"""The offline demo environment, shaped like an OpenReward environment as the SDK's client exposes it.

::

    from openreward_nb.demo import environments
    environment = environments.get(name="GeneralReasoning/CTF")
    tasks = environment.list_tasks(split="train")
    tools = environment.list_tools(format="openai")
    with environment.session(task=tasks[0]) as session:
        prompt = session.get_prompt()
        result = session.call_tool("bash", {"command": "ls /challenge"})
        result.blocks[0].text, result.reward, result.finished
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .challenges import SPLITS, Challenge, challenge_for, challenges
from .shell import Shell
from .tools import TOOL_SPECS, Provider, list_tools
from .types import Task, TextBlock, ToolCallError, ToolOutput, ToolSpec

ENVIRONMENT_NAME = "ctf"
_TOOL_INPUTS = {spec.name: spec.input_schema["required"][0] for spec in TOOL_SPECS if spec.input_schema}


def _validated_argument(tool_name: str, input: Any) -> str:
    """The one string argument of a demo tool, or the ToolCallError an OpenReward server would give."""
    if not isinstance(input, Mapping):
        raise ToolCallError("bad_input_shape", f"Tool input must be a dictionary, got {type(input).__name__}")
    if tool_name not in _TOOL_INPUTS:
        raise ToolCallError("not_found", f"{tool_name!r} is not a valid tool")
    field = _TOOL_INPUTS[tool_name]
    value = input.get(field)
    if not isinstance(value, str):
        kind, msg = (
            ("missing", "Field required") if field not in input else ("string_type", "Input should be a valid string")
        )
        problem = {"type": kind, "loc": (field,), "msg": msg, "input": dict(input) if kind == "missing" else value}
        raise ToolCallError("input_validation", f"Tool input validation error: {[problem]}")
    return value


class DemoSession:
    """One episode on one task: a sandbox with its own shell, and the flag checker."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.sid = f"demo-{uuid.uuid4().hex[:16]}"
        self._challenge: Challenge = challenge_for(task.task_spec)
        self._shell = Shell(self._challenge.file_system())
        self._finished = False

    def __enter__(self) -> DemoSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        """Nothing to tear down: the sandbox lives in memory."""

    @property
    def finished(self) -> bool:
        """True once a tool call ended the episode."""
        return self._finished

    def get_prompt(self) -> list[TextBlock]:
        """The task statement, as a list with one text block."""
        return [TextBlock(text=self._challenge.prompt)]

    def list_tools(self, format: Provider | None = None) -> list[ToolSpec] | list[dict[str, Any]]:
        """The tools: ``ToolSpec`` objects, or dicts for ``format`` = openai / openrouter / anthropic / google."""
        return list_tools(format)

    def call_tool(self, tool_name: str, input: Mapping[str, Any] = {}) -> ToolOutput:
        """Run a tool. ``bash`` gives reward 0.0; ``submit_flag`` ends the episode with 1.0 or 0.0."""
        argument = _validated_argument(tool_name, input)
        if self._finished:
            raise ToolCallError(
                "episode_finished",
                f"{tool_name!r} was not run: the episode has finished (a tool returned finished=True), "
                "so no further tool calls are accepted.",
            )
        if tool_name == "bash":
            result = self._shell.run(argument)
            return ToolOutput(
                blocks=[TextBlock(text=result.output or "(no output)")],
                metadata={"exit_code": result.exit_code, "cwd": self._shell.cwd},
                reward=0.0,
                finished=False,
            )
        correct = argument.strip().lower() == self._challenge.flag.lower()
        self._finished = True
        text = f"Correct! {argument.strip()} is the flag." if correct else "Incorrect flag."
        return ToolOutput(
            blocks=[TextBlock(text=text)], metadata={"correct": correct}, reward=1.0 if correct else 0.0, finished=True
        )


class DemoEnvironment:
    """The CTF environment, offline: ``list_splits``, ``list_tasks``, ``list_tools`` and ``session``."""

    def __init__(self, namespace: str | None = "demo", name: str = "CTF") -> None:
        self.namespace = namespace
        self.name = name
        self.server = name
        self.variant: str | None = None

    @property
    def deployment_name(self) -> str:
        """``namespace/name``, e.g. ``GeneralReasoning/CTF``."""
        return self.name if self.namespace is None else f"{self.namespace}/{self.name}"

    def list_splits(self) -> list[str]:
        """The split names: train and test."""
        return list(SPLITS)

    def list_tasks(self, split: str) -> list[Task]:
        """The tasks of a split, in index order."""
        return [self._task(c.task_spec, i) for i, c in enumerate(challenges(split))]

    def num_tasks(self, split: str) -> int:
        """How many tasks the split has."""
        return len(challenges(split))

    def get_task(self, split: str, index: int) -> Task:
        """Task ``index`` of a split."""
        return self.list_tasks(split)[index]

    def get_task_range(self, split: str, start: int | None = None, stop: int | None = None) -> list[Task]:
        """Tasks ``start`` (inclusive) to ``stop`` (exclusive), with Python slice semantics."""
        return self.list_tasks(split)[start:stop]

    def list_tools(self, format: Provider | None = None) -> list[ToolSpec] | list[dict[str, Any]]:
        """The tools: ``ToolSpec`` objects, or dicts for ``format`` = openai / openrouter / anthropic / google."""
        return list_tools(format)

    def session(
        self,
        task: Task | None = None,
        secrets: Mapping[str, str] | None = None,
        *,
        split: str | None = None,
        index: int | None = None,
    ) -> DemoSession:
        """A session on ``task``, or on task ``index`` of ``split`` (``secrets`` are accepted and unused)."""
        if (task is None) == (split is None or index is None):
            raise ValueError("Provide either task or both split and index, not both/neither")
        return DemoSession(task if task is not None else self.get_task(split, index))  # type: ignore[arg-type]

    def _task(self, task_spec: dict[str, Any], index: int) -> Task:
        return Task(
            server_name=self.server,
            environment_name=ENVIRONMENT_NAME,
            task_spec=task_spec,
            namespace=self.namespace,
            index=index,
        )

    def __repr__(self) -> str:
        return f"<DemoEnvironment {self.deployment_name} (offline)>"


class DemoEnvironments:
    """``environments.get(name=...)`` as on an OpenReward client, serving the offline CTF environment."""

    def get(self, name: str, variant: str | None = None, base_url: str | None = None) -> DemoEnvironment:
        """The demo CTF environment under ``name`` (``GeneralReasoning/CTF``, ``demo/CTF``, ``CTF``).

        ``base_url`` is accepted for signature compatibility; the demo is always local.
        """
        namespace, _, env_name = name.rpartition("/")
        if env_name.lower() != "ctf":
            raise ValueError(f"the offline demo has one environment, CTF (e.g. 'GeneralReasoning/CTF'); got {name!r}")
        if variant is not None:
            raise ValueError(f"the demo CTF environment has no variants; got {variant!r}")
        return DemoEnvironment(namespace=namespace or None, name=env_name)


environments = DemoEnvironments()
