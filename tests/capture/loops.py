"""Agent loops the way users write them (the OpenReward tutorial's shapes), for capture tests."""

from __future__ import annotations

import json
from typing import Any

from openreward_nb.demo import environments

ENV = "GeneralReasoning/CTF"
TASK = 6  # demo-strong reads two files in one turn on this task (parallel tool calls)


def session(task: int = TASK) -> Any:
    environment = environments.get(name=ENV)
    return environment, environment.session(task=environment.list_tasks("train")[task])


def seed_loop(oai: Any, rollout: Any | None, task: int = TASK, model: str = "demo-strong") -> list[Any]:
    """Issue 4's seed loop (OpenAI Responses); explicit logs when ``rollout`` is given. Returns the input list."""
    environment, sess = session(task)
    tools = environment.list_tools(format="openai")
    with sess:
        prompt = sess.get_prompt()
        input_list: list[Any] = [{"role": "user", "content": prompt[0].text}]
        if rollout is not None:
            rollout.log_openai_response(input_list[0])
        finished = False
        while not finished:
            response = oai.responses.create(model=model, tools=tools, input=input_list)
            if rollout is not None:
                rollout.log_openai_response(response)
            input_list += response.output
            for item in response.output:
                if item.type == "function_call":
                    tool_result = sess.call_tool(item.name, json.loads(str(item.arguments)))
                    tool_output = {
                        "type": "function_call_output",
                        "call_id": item.call_id,
                        "output": json.dumps({"result": tool_result.blocks[0].text}),
                    }
                    input_list.append(tool_output)
                    if rollout is not None:
                        rollout.log_openai_response(
                            tool_output, reward=tool_result.reward, is_finished=tool_result.finished
                        )
                    if tool_result.finished:
                        finished = True
                        break
    return input_list


def chat_loop(client: Any, model: str = "demo-strong", stream: bool = False, task: int = TASK) -> list[dict]:
    """A Chat Completions loop (OpenAI or OpenRouter), optionally streaming; returns the messages sent."""
    environment, sess = session(task)
    tools = environment.list_tools(format="openrouter")  # the Chat Completions tool format
    with sess:
        messages: list[dict] = [
            {"role": "system", "content": "Find the flag."},
            {"role": "user", "content": sess.get_prompt()[0].text},
        ]
        for _ in range(20):
            if stream:
                with client.chat.completions.stream(model=model, messages=messages, tools=tools) as s:
                    for _event in s:
                        pass
                    message = s.get_final_completion().choices[0].message
            else:
                message = client.chat.completions.create(model=model, messages=messages, tools=tools).choices[0].message
            messages.append(message.model_dump(exclude_none=True))
            if not message.tool_calls:
                return messages
            for call in message.tool_calls:
                result = sess.call_tool(call.function.name, json.loads(call.function.arguments))
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result.blocks[0].text})
    raise AssertionError("no end")


def anthropic_loop(client: Any, model: str = "demo-strong", stream: bool = False, task: int = TASK) -> list[dict]:
    """An Anthropic Messages loop with thinking, optionally with the SDK's stream helper."""
    environment, sess = session(task)
    tools = environment.list_tools(format="anthropic")
    params = {
        "model": model,
        "max_tokens": 2048,
        "tools": tools,
        "system": "Find the flag.",
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    with sess:
        messages: list[dict] = [{"role": "user", "content": sess.get_prompt()[0].text}]
        for _ in range(20):
            if stream:
                with client.messages.stream(messages=messages, **params) as s:
                    message = s.get_final_message()
            else:
                message = client.messages.create(messages=messages, **params)
            messages.append({"role": "assistant", "content": message.content})
            uses = [b for b in message.content if b.type == "tool_use"]
            if not uses:
                return messages
            results = []
            for block in uses:
                out = sess.call_tool(block.name, block.input)
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": out.blocks[0].text})
            messages.append({"role": "user", "content": results})
    raise AssertionError("no end")
