"""The OpenReward tutorial's agent, recorded with the explicit API: what ``openreward-nb demo`` runs.

An OpenAI Responses agent with the CTF environment's tools; each step is logged with
``rollout.log_openai_response`` and tool results carry the environment's reward and end
flag. Offline (no ``OPENAI_API_KEY``) the demo models answer through the real SDK.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .clients import is_offline, openai_client
from .env import environments
from .policy import DEFAULT_MODEL

if TYPE_CHECKING:
    from ..client import OpenReward
    from ..rollout import Rollout

ENVIRONMENT = "GeneralReasoning/CTF"
LIVE_MODEL = "gpt-5.4"


def default_model() -> str:
    """The demo model offline; a real OpenAI model when ``OPENAI_API_KEY`` is set."""
    return DEFAULT_MODEL if is_offline("openai") else LIVE_MODEL


def run_episode(
    client: OpenReward,
    oai: Any,
    task: Any,
    *,
    run_name: str,
    rollout_name: str,
    model: str,
    split: str = "train",
    rollout_info: Any = None,
) -> Rollout:
    """One episode of the tutorial's loop, recorded into ``run_name``."""
    environment = environments.get(name=ENVIRONMENT)
    tools = environment.list_tools(format="openai")
    rollout = client.rollout.create(
        run_name=run_name,
        rollout_name=rollout_name,
        environment=ENVIRONMENT,
        split=split,
        metadata={"model": model},
        task_spec=dict(task.task_spec),
    )
    if rollout_info is not None:
        rollout.update_info(rollout_info)
    with rollout, environment.session(task=task) as session:
        input_list: list[Any] = [{"role": "user", "content": session.get_prompt()[0].text}]
        rollout.log_openai_response(input_list[0])
        finished = False
        while not finished:
            response = oai.responses.create(model=model, tools=tools, input=input_list)
            rollout.log_openai_response(response)
            input_list += response.output
            for item in response.output:
                if item.type != "function_call":
                    continue
                result = session.call_tool(item.name, json.loads(str(item.arguments)))
                output = {
                    "type": "function_call_output",
                    "call_id": item.call_id,
                    "output": json.dumps({"result": result.blocks[0].text}),
                }
                input_list.append(output)
                rollout.log_openai_response(output, reward=result.reward, is_finished=result.finished)
                if result.finished:
                    finished = True
                    break
    return rollout


def run_quickstart(
    client: OpenReward,
    *,
    run_name: str = "quickstart",
    tasks: int = 3,
    model: str | None = None,
    split: str = "train",
) -> list[Rollout]:
    """Record ``tasks`` episodes of the tutorial's agent; returns the rollouts."""
    environment = environments.get(name=ENVIRONMENT)
    model = model or default_model()
    oai = openai_client()
    return [
        run_episode(client, oai, task, run_name=run_name, rollout_name=f"episode-{i}", model=model, split=split)
        for i, task in enumerate(environment.list_tasks(split)[:tasks])
    ]
