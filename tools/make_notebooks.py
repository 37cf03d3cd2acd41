"""Write the demo notebooks in notebooks/ (without outputs). Run after editing the cells here."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str, **metadata):
    return new_code_cell(text.strip(), metadata=metadata)


QUICKSTART = [
    md("""
# Quickstart: record an agent's episode, then look at it

This is the OpenReward tutorial's episode: an agent plays a capture-the-flag task with
OpenAI's Responses API and tool calls, and every step is recorded with the explicit API,
rewards on tool results included. Then its timeline opens right here.

It runs without any API key: the CTF environment is an offline demo with the shape of an
OpenReward environment, and the model is answered by the offline demo provider through
the real `openai` SDK. Set `OPENAI_API_KEY` and the same cells call OpenAI instead.
"""),
    code("""
import json

from openreward_nb import OpenReward
from openreward_nb.demo import environments, is_offline, openai_client

or_client = OpenReward()          # records into the project's .openreward_nb/ (or $OPENREWARD_NB_STORE)
oai_client = openai_client()      # the real OpenAI client; offline unless OPENAI_API_KEY is set
MODEL_NAME = "demo-strong" if is_offline("openai") else "gpt-5.4"
"""),
    md("""
## The environment

With the OpenReward SDK you would write `OpenReward().environments.get(name="GeneralReasoning/CTF")`;
the demo environment answers the same calls: tasks, tools in each provider's format, and a
session with a prompt and tool calls that return a reward and an end flag.
"""),
    code("""
environment = environments.get(name="GeneralReasoning/CTF")
tasks = environment.list_tasks(split="train")
tools = environment.list_tools(format="openai")
example_task = tasks[0]
example_task.task_spec, [tool["name"] for tool in tools]
"""),
    md("""
## The episode

The loop is the tutorial's, with one `rollout` that records it: the prompt, each model
response (reasoning, tool calls, text) and each tool result with the environment's reward.
`with rollout:` ends the rollout when the block exits (and marks it failed if it raises).
"""),
    code("""
rollout = or_client.rollout.create(
    run_name="quickstart",
    rollout_name="episode-0",
    environment="GeneralReasoning/CTF",
    split="train",
    metadata={"model": MODEL_NAME},
    task_spec=dict(example_task.task_spec),
)

with rollout, environment.session(task=example_task) as session:
    prompt = session.get_prompt()
    input_list = [{"role": "user", "content": prompt[0].text}]
    rollout.log_openai_response(input_list[0])
    finished = False
    while not finished:
        response = oai_client.responses.create(model=MODEL_NAME, tools=tools, input=input_list)
        rollout.log_openai_response(response)
        input_list += response.output
        for item in response.output:
            if item.type == "function_call":
                tool_result = session.call_tool(item.name, json.loads(str(item.arguments)))
                tool_output = {
                    "type": "function_call_output",
                    "call_id": item.call_id,
                    "output": json.dumps({"result": tool_result.blocks[0].text}),
                }
                input_list.append(tool_output)
                rollout.log_openai_response(tool_output, reward=tool_result.reward, is_finished=tool_result.finished)
                if tool_result.finished:
                    finished = True
                    break
"""),
    md("""
## The timeline

A rollout as a cell's last value shows its timeline: the header with rewards, tokens and
duration; the reward chart (click a point to jump to its event); one entry per event, with
reasoning folded behind its summary and each tool call joined to its result. Filter by
type, search, or jump to a step.
"""),
    code("rollout", tags=["timeline"]),
    md("""
## Reading it back

Everything is in the store: notebooks, DataFrames and the `openreward-nb` command read it.
"""),
    code("""
record = or_client.rollouts.get(rollout.id)
print(record.status, record.n_events, "events,", record.n_tool_calls, "tool calls, reward", record.total_reward)
[(event.idx, event.type, event.name or "", event.reward) for event in record.events()][:8]
"""),
    md("""
Next: `02_rollout_magic.ipynb` records the same agent without a single `log_*` call, and
with Anthropic, Gemini and OpenRouter; `03_comparing_runs.ipynb` compares two models over
a few dozen rollouts.
"""),
]

MAGIC = [
    md("""
# `%%rollout`: record every provider call in a cell

Load the extension, and a `%%rollout` cell records every call the cell makes through the
`openai`, `anthropic` and `google-genai` SDKs: the new input messages, the outputs, model,
token usage, latency and request parameters. Chat history sent again on every call is
stored once. The rollout ends with the cell and its timeline shows below it.

Offline by default (the demo providers answer the real SDK clients); with an API key set,
the same cells call the provider.
"""),
    code("""
import json

from openreward_nb.demo import anthropic_client, environments, gemini_client, openai_client, openrouter_client

environment = environments.get(name="GeneralReasoning/CTF")
task = environment.list_tasks(split="train")[6]

%load_ext openreward_nb
%rollout_config run=magic-demo
"""),
    md("""
## OpenAI Responses, with no `log_*` call at all

The tutorial's agent again. `rollout` is the live rollout inside the cell; here it only
receives the environment's reward, which `update_info` / `log` calls could also carry.
"""),
    code("""
%%rollout --name openai-responses --env GeneralReasoning/CTF --split train --meta provider=openai
oai = openai_client()
tools = environment.list_tools(format="openai")
with environment.session(task=task) as session:
    input_list = [{"role": "user", "content": session.get_prompt()[0].text}]
    finished = False
    while not finished:
        response = oai.responses.create(model="demo-strong", tools=tools, input=input_list)
        input_list += response.output
        for item in response.output:
            if item.type == "function_call":
                result = session.call_tool(item.name, json.loads(item.arguments))
                output = {"type": "function_call_output", "call_id": item.call_id, "output": result.blocks[0].text}
                input_list.append(output)
                if result.finished:
                    # the last tool output is never sent back to the model: log it, with its reward
                    rollout.log_openai_response(output, reward=result.reward, is_finished=True)
                    finished = True
                    break
"""),
    md("""
## Anthropic, streamed with the SDK's helper, extended thinking on
"""),
    code("""
%%rollout --name anthropic-stream --env GeneralReasoning/CTF --meta provider=anthropic
claude = anthropic_client()
with environment.session(task=task) as session:
    messages = [{"role": "user", "content": session.get_prompt()[0].text}]
    while True:
        with claude.messages.stream(model="demo-strong", max_tokens=2048, messages=messages,
                                    system="You are a careful CTF player.",
                                    tools=environment.list_tools(format="anthropic"),
                                    thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
            message = stream.get_final_message()
        messages.append({"role": "assistant", "content": message.content})
        uses = [block for block in message.content if block.type == "tool_use"]
        if not uses:
            break
        results = []
        for block in uses:
            out = session.call_tool(block.name, block.input)
            results.append({"type": "tool_result", "tool_use_id": block.id, "content": out.blocks[0].text})
            if out.finished:
                # the environment's reward, on the tool result that ended the episode
                rollout.log({"type": "tool_result", "content": out.blocks[0].text, "call_id": block.id},
                            reward=out.reward, is_finished=True)
        messages.append({"role": "user", "content": results})
"""),
    md("""
## Gemini, through a chat session
"""),
    code("""
%%rollout --name gemini-chat --env GeneralReasoning/CTF --meta provider=gemini
from google.genai import types

gemini = gemini_client()
config = types.GenerateContentConfig(
    tools=[types.Tool(function_declarations=environment.list_tools(format="google"))],
    thinking_config=types.ThinkingConfig(include_thoughts=True),
)
with environment.session(task=task) as session:
    chat = gemini.chats.create(model="demo-strong", config=config)
    reply = chat.send_message(session.get_prompt()[0].text)
    while reply.function_calls:
        parts = []
        for call in reply.function_calls:
            out = session.call_tool(call.name, dict(call.args))
            part = types.Part(function_response=types.FunctionResponse(
                id=call.id, name=call.name, response={"result": out.blocks[0].text}))
            parts.append(part)
            if out.finished:
                # the environment's reward, on the tool result that ended the episode
                rollout.log_gdm_message(types.Content(role="user", parts=[part]),
                                        reward=out.reward, is_finished=True)
        reply = chat.send_message(parts)
"""),
    md("""
## Chat Completions through OpenRouter, streamed

OpenRouter speaks Chat Completions through the `openai` SDK, with the model's reasoning on
the message; it is recorded as reasoning events.
"""),
    code("""
%%rollout --name openrouter-stream --env GeneralReasoning/CTF --meta provider=openrouter
router = openrouter_client()
with environment.session(task=task) as session:
    messages = [{"role": "user", "content": session.get_prompt()[0].text}]
    while True:
        with router.chat.completions.stream(model="demo-strong", messages=messages,
                                            stream_options={"include_usage": True},
                                            tools=environment.list_tools(format="openrouter")) as stream:
            for _ in stream:
                pass
            message = stream.get_final_completion().choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        if not message.tool_calls:
            break
        for call in message.tool_calls:
            out = session.call_tool(call.function.name, json.loads(call.function.arguments))
            tool_message = {"role": "tool", "tool_call_id": call.id, "content": out.blocks[0].text}
            messages.append(tool_message)
            if out.finished:
                # the environment's reward, on the tool result that ended the episode
                rollout.log_openai_completions(tool_message, reward=out.reward, is_finished=True)
"""),
    md("""
## The run

All four rollouts belong to the run named by `%rollout_config`. A run shows as a sortable
table with its reward charts; click a row to open that rollout's timeline.
"""),
    code(
        """
from openreward_nb import OpenReward

OpenReward().runs.get("magic-demo")
""",
        tags=["run-table"],
    ),
]

COMPARE = [
    md("""
# Comparing runs

Two "models" play the same CTF tasks a few dozen times each: `demo-strong` and
`demo-weak`, offline demo models of different skill. Each rollout records which training
step it belongs to (`rollout_info.current_step`), as an RL loop would. Then: DataFrames,
statistics per run, reward curves, and the best rollouts exported as fine-tuning data.
"""),
    code("""
import openreward_nb as orn
from openreward_nb import OpenReward, RolloutInfo
from openreward_nb.demo import environments, openai_client
from openreward_nb.demo.quickstart import run_episode

client = OpenReward()
environment = environments.get(name="GeneralReasoning/CTF")
tasks = environment.list_tasks(split="train")

for model in ("demo-strong", "demo-weak"):
    for step in range(3):                      # three "training steps", a different seed each
        oai = openai_client(seed=step)
        for i, task in enumerate(tasks):
            run_episode(client, oai, task, run_name=f"ctf-{model}", rollout_name=f"step{step}-task{i}",
                        model=model, rollout_info=RolloutInfo(task_index=i, current_step=step))
client.rollout.flush()
"""),
    md("""
## One row per rollout

`rollouts_df` reads only the rollouts table (aggregates are kept current as events are
written), so it stays fast on big stores. Metadata, task spec, run info and rollout info
become `metadata.*`, `task_spec.*`, ... columns.
"""),
    code("""
df = orn.rollouts_df(["ctf-demo-strong", "ctf-demo-weak"])
df[["run", "rollout_name", "status", "n_events", "n_tool_calls", "total_reward", "duration_s",
    "task_spec.difficulty", "rollout_info.current_step"]].head()
"""),
    code("""
orn.compare_runs(["ctf-demo-strong", "ctf-demo-weak"], threshold=1.0)
"""),
    code("""
orn.compare_runs(["ctf-demo-strong", "ctf-demo-weak"], by="task_spec.difficulty")
"""),
    md("""
## Charts

Rewards per run as box and points, and the mean reward by training step per run.
"""),
    code(
        """
orn.plot_compare(["ctf-demo-strong", "ctf-demo-weak"])
""",
        tags=["plot"],
    ),
    md("""
## Tool calls

Every tool call joined to its result, with parsed arguments.
"""),
    code("""
calls = orn.tool_calls_df("ctf-demo-weak")
calls.groupby("name").agg(calls=("idx", "size"), errors=("is_error", "sum"))
"""),
    md("""
## The weak model's run, interactively

Sort and filter the table, look at the reward histogram and the curve over training steps,
and click a failed rollout to see where it went wrong.
"""),
    code(
        """
client.runs.get("ctf-demo-weak")
""",
        tags=["run-table"],
    ),
    md("""
## Training data

The solved episodes, rebuilt as chat conversations, one per line: ready for fine-tuning.
Written to a temporary folder here; give your own path.
"""),
    code("""
import json
import tempfile
from pathlib import Path

solved = Path(tempfile.mkdtemp(prefix="openreward-nb-")) / "solved.jsonl"
n = orn.export_jsonl(["ctf-demo-strong", "ctf-demo-weak"], solved, min_reward=1.0, format="openai")
with open(solved) as f:
    first = json.loads(f.readline())
print(f"{n} chats in {solved}")
[m["role"] for m in first["messages"]][:6]
"""),
]

TEAMS = [
    md("""
# Teams and the platform

Two ways out of one machine:

1. **A shared PostgreSQL store.** Point `OPENREWARD_NB_STORE` (or `store=`) at a
   `postgresql://` URL and every training worker and every notebook records into and reads
   from the same database. `openreward-nb copy SRC DST` moves a local store there.
2. **Upload to the OpenReward platform.** `OpenReward(upload=True)` or `client.sync()` sends
   what was recorded to the OpenReward API, exactly as the `openreward` SDK would. With no
   `OPENREWARD_API_KEY`, this notebook runs a local stand-in: `openreward-nb serve`, which
   accepts the SDK's uploads into a store of its own.
"""),
    code("""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openreward_nb import OpenReward
from openreward_nb.demo import environments, openai_client
from openreward_nb.demo.quickstart import run_episode

environment = environments.get(name="GeneralReasoning/CTF")
tasks = environment.list_tasks(split="train")
workdir = Path(tempfile.mkdtemp(prefix="openreward-nb-teams-"))
"""),
    md("""
## A shared store

When `OPENREWARD_NB_STORE` names a PostgreSQL database, this records there; otherwise into
a local file here. The code is the same either way.
"""),
    code("""
shared = os.environ.get("OPENREWARD_NB_STORE", "")
store = shared if shared.startswith("postgresql://") else str(workdir / "team.sqlite")
team = OpenReward(store=store)
oai = openai_client()
for i, task in enumerate(tasks[:3]):
    run_episode(team, oai, task, run_name="team-run", rollout_name=f"worker-0-task{i}", model="demo-strong")
team.rollout.flush()
[(r.name, r.n_rollouts, r.mean_reward) for r in team.runs.list()]
"""),
    md("""
Moving a local store to the shared server (idempotent: run it again and nothing is copied twice):

```bash
openreward-nb copy .openreward_nb/store.sqlite postgresql://user:pass@db-host/rollouts
```
"""),
    code("""
copy = str(workdir / "copy.sqlite")
subprocess.run([sys.executable, "-m", "openreward_nb", "copy", store, copy], check=True)
[(r.name, r.n_rollouts) for r in OpenReward(store=copy).runs.list()]
"""),
    md("""
## Upload to the OpenReward API

Without an `OPENREWARD_API_KEY` we start the local ingest server and point the standard
`OPENREWARD_API_URL` variable at it; with a key, the same cells upload to the platform.
"""),
    code("""
live_platform = bool(os.environ.get("OPENREWARD_API_KEY"))
if not live_platform:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server_store = str(workdir / "server.sqlite")
    server = subprocess.Popen([sys.executable, "-m", "openreward_nb", "--store", server_store, "serve",
                               "--port", str(port), "--api-key", "local-demo-key"])
    os.environ["OPENREWARD_API_URL"] = f"http://127.0.0.1:{port}"
    os.environ["OPENREWARD_API_KEY"] = "local-demo-key"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
os.environ["OPENREWARD_API_URL"] if not live_platform else "https://api.openreward.ai"
"""),
    code("""
result = OpenReward(store=store).sync()   # uploads everything recorded in the team store, resumably
result
"""),
    md("""
Uploading while recording: the store is written first, and a background uploader drains it.
A network failure delays the upload; it never drops an event.
"""),
    code("""
uploading = OpenReward(store=store, upload=True)
run_episode(uploading, oai, tasks[3], run_name="team-run", rollout_name="uploaded-live", model="demo-strong")
uploading.rollout.close()     # returns once everything is written and uploaded
uploading.remote.runs()
"""),
    code("""
if not live_platform:
    server.terminate()
    server.wait()
    del os.environ["OPENREWARD_API_URL"], os.environ["OPENREWARD_API_KEY"]
"""),
]


def build(cells: list) -> nbformat.NotebookNode:
    """A notebook of ``cells`` with ids by position, so writing it again changes nothing."""
    nb = new_notebook(cells=cells, metadata=KERNEL)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nbformat.validate(nb)
    return nb


NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_rollout_magic.ipynb": MAGIC,
    "03_comparing_runs.ipynb": COMPARE,
    "04_teams_and_platform.ipynb": TEAMS,
}


def main(out: Path = OUT) -> None:
    out.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), out / name)
        print("wrote", out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
