"""The OpenReward tutorial's loop on the demo, recorded by ``openreward_nb.OpenReward`` via ``rollout.log``."""

from __future__ import annotations

import json
from typing import Any

from openreward_nb import AssistantMessage, OpenReward, ReasoningItem, Rollout, ToolCall, ToolResult, UserMessage
from openreward_nb.demo import DemoEnvironment, Task, openai_client


def log_output(rollout: Rollout, item: Any) -> None:
    """One Responses output item as a generic message."""
    if item.type == "reasoning":
        rollout.log(ReasoningItem(summary="\n\n".join(part.text for part in item.summary)))
    elif item.type == "function_call":
        rollout.log(ToolCall(name=item.name, content=item.arguments, call_id=item.call_id))
    elif item.type == "message":
        rollout.log(AssistantMessage(content=item.content[0].text))


def tutorial_episode(
    client: OpenReward, environment: DemoEnvironment, task: Task, model: str, run_name: str
) -> Rollout:
    """The tutorial's agent loop, with every message logged explicitly."""
    oai_client = openai_client(offline=True)
    tools = environment.list_tools(format="openai")
    rollout = client.rollout.create(
        run_name=run_name,
        rollout_name=f"{task.task_spec['id']}-{model}",
        environment=environment.deployment_name,
        split="train",
        metadata={"model": model},
        task_spec=dict(task.task_spec),
    )
    with environment.session(task=task) as session:
        prompt = session.get_prompt()
        input_list: list[Any] = [{"role": "user", "content": prompt[0].text}]
        rollout.log(UserMessage(prompt[0].text))
        finished = False
        while not finished:
            response = oai_client.responses.create(model=model, tools=tools, input=input_list)
            for item in response.output:
                log_output(rollout, item)
            input_list += response.output
            for item in response.output:
                if item.type == "function_call":
                    tool_result = session.call_tool(item.name, json.loads(str(item.arguments)))
                    output = json.dumps({"result": tool_result.blocks[0].text})
                    input_list.append({"type": "function_call_output", "call_id": item.call_id, "output": output})
                    rollout.log(
                        ToolResult(content=output, call_id=item.call_id),
                        reward=tool_result.reward,
                        is_finished=tool_result.finished,
                    )
                    if tool_result.finished:
                        finished = True
                        break
        closing = oai_client.responses.create(model=model, tools=tools, input=input_list)
        log_output(rollout, closing.output[-1])
    return rollout


def test_tutorial_episode_is_stored_event_by_event(
    client: OpenReward, environment: DemoEnvironment, task: Task
) -> None:
    rollout = tutorial_episode(client, environment, task, "demo-strong", "gpt-ctf")
    client.rollout.flush()
    record = client.rollouts.get(rollout.id)
    events = list(record.events())
    assert [e.type for e in events[:4]] == ["user_message", "reasoning", "tool_call", "tool_result"]
    assert (
        events[-1].type == "assistant_message"
        and events[-1].content == "Solved: the flag is flag{tw0_l4yers_0f_enc0ding}."
    )
    calls = {e.call_id: e for e in events if e.type == "tool_call"}
    results = [e for e in events if e.type == "tool_result"]
    assert len(calls) == len(results) == 6
    for result in results:  # each result follows its call
        assert calls[result.call_id].idx < result.idx
    assert [r.reward for r in results] == [0.0] * 5 + [1.0]
    assert [r.is_finished for r in results] == [False] * 5 + [True]
    assert json.loads(calls[results[-1].call_id].content) == {"flag": "flag{tw0_l4yers_0f_enc0ding}"}
    assert all(e.summary.startswith("**") for e in events if e.type == "reasoning")
    assert (record.final_reward, record.is_finished, record.n_tool_calls) == (1.0, True, 6)
    assert (record.environment, record.split, record.metadata) == (
        "GeneralReasoning/CTF",
        "train",
        {"model": "demo-strong"},
    )


def test_two_models_make_two_runs_with_different_rewards(client: OpenReward, environment: DemoEnvironment) -> None:
    for model in ("demo-strong", "demo-weak"):
        for task in environment.list_tasks("train"):
            tutorial_episode(client, environment, task, model, run_name=model)
    client.rollout.flush()
    strong, weak = client.runs.get("demo-strong"), client.runs.get("demo-weak")
    assert strong.n_rollouts == weak.n_rollouts == 8
    assert strong.mean_reward >= 0.85 and weak.mean_reward <= 0.6
    assert all(r.is_finished and r.final_reward in (0.0, 1.0) for run in (strong, weak) for r in run.rollouts())
