"""The %%rollout magic, driven through IPython itself (run_cell and run_cell_magic)."""

from __future__ import annotations

import textwrap

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from openreward_nb import OpenReward
from openreward_nb.capture import uninstall


@pytest.fixture
def ip(tmp_path):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "openreward_nb")
    shell.run_line_magic("rollout_config", "reset")
    store = tmp_path / "magic.sqlite"
    shell.run_line_magic("rollout_config", f"store={store} quiet=true")
    shell.user_ns["STORE"] = str(store)
    shell.run_cell("from openreward_nb.demo import openai_client\noai = openai_client(offline=True)")
    yield shell
    shell.run_line_magic("rollout_config", "reset")
    uninstall()


def run(ip, source: str):
    return ip.run_cell(textwrap.dedent(source).lstrip("\n"))


def reader(ip) -> OpenReward:
    return OpenReward(store=ip.user_ns["STORE"])


SEED_CELL = """
%%rollout magic-run --name e0 --env GeneralReasoning/CTF --split train --meta model=demo-strong --meta temperature=0.7 --task '{"id": 6}'
import json
from openreward_nb.demo import environments
environment = environments.get(name="GeneralReasoning/CTF")
tools = environment.list_tools(format="openai")
with environment.session(task=environment.list_tasks("train")[6]) as session:
    input_list = [{"role": "user", "content": session.get_prompt()[0].text}]
    rollout.log_openai_response(input_list[0])
    finished = False
    while not finished:
        response = oai.responses.create(model="demo-strong", tools=tools, input=input_list)
        rollout.log_openai_response(response)
        input_list += response.output
        for item in response.output:
            if item.type == "function_call":
                tool_result = session.call_tool(item.name, json.loads(str(item.arguments)))
                tool_output = {"type": "function_call_output", "call_id": item.call_id,
                               "output": json.dumps({"result": tool_result.blocks[0].text})}
                input_list.append(tool_output)
                rollout.log_openai_response(tool_output, reward=tool_result.reward, is_finished=tool_result.finished)
                if tool_result.finished:
                    finished = True
                    break
"""


def test_seed_loop_cell_records_one_event_per_message(ip, capsys) -> None:
    result = run(ip, SEED_CELL)
    assert result.success, result.error_in_exec
    [rec] = list(reader(ip).runs.get("magic-run").rollouts())
    assert rec.rollout_name == "e0" and rec.environment == "GeneralReasoning/CTF" and rec.split == "train"
    assert rec.metadata == {"model": "demo-strong", "temperature": 0.7} and rec.task_spec == {"id": 6}
    assert rec.status == "finished" and rec.is_finished and rec.total_reward == 1.0
    events = list(rec.events())
    messages = len(ip.user_ns["input_list"])  # every message the loop sent or produced, once each
    assert len(events) == messages
    assert sum(e.usage is not None for e in events) >= 3  # captured calls carry usage
    assert "magic-run" in capsys.readouterr().out  # --quiet (from %rollout_config) printed the summary


def test_default_names_and_run_from_config(ip) -> None:
    ip.run_line_magic("rollout_config", "run=cfg-run")
    for _ in range(2):
        assert run(ip, '%%rollout\noai.responses.create(model="demo-strong", input="hi")').success
    names = [r.rollout_name for r in reader(ip).runs.get("cfg-run").rollouts()]
    assert names == ["episode-0", "episode-1"]


def test_bad_options_give_a_usage_error_and_run_nothing(ip) -> None:
    result = run(ip, "%%rollout r --bogus\nran_anyway = True")
    assert isinstance(result.error_in_exec, UsageError) and "--bogus" in str(result.error_in_exec)
    assert "ran_anyway" not in ip.user_ns
    result = run(ip, "%%rollout r --task not-json\nran_anyway = True")
    assert isinstance(result.error_in_exec, UsageError) and "--task" in str(result.error_in_exec)
    with pytest.raises(UsageError, match="unknown %rollout_config key"):
        ip.run_line_magic("rollout_config", "colour=blue")


def test_a_cell_that_raises_fails_the_rollout_and_still_raises(ip) -> None:
    result = run(
        ip,
        """
        %%rollout failing --name boom
        oai.responses.create(model="demo-strong", input="before the crash")
        raise ValueError("tool exploded")
        """,
    )
    assert isinstance(result.error_in_exec, ValueError) and str(result.error_in_exec) == "tool exploded"
    [rec] = list(reader(ip).runs.get("failing").rollouts())
    assert rec.status == "failed" and "ValueError: tool exploded" in rec.error
    assert [e.content for e in rec.events() if e.type == "user_message"] == ["before the crash"]


def test_no_capture_records_only_explicit_logs(ip) -> None:
    result = run(
        ip,
        """
        %%rollout explicit --no-capture --as r
        oai.responses.create(model="demo-strong", input="not recorded")
        r.log_openai_response({"role": "user", "content": "recorded"})
        """,
    )
    assert result.success
    [rec] = list(reader(ip).runs.get("explicit").rollouts())
    assert [e.content for e in rec.events()] == ["recorded"]


def test_top_level_await_and_run_cell_magic(ip) -> None:
    ip.run_cell("from openreward_nb.demo import async_openai_client\naoai = async_openai_client(offline=True)")
    result = run(
        ip,
        """
        %%rollout awaited
        import asyncio
        answers = await asyncio.gather(*(aoai.responses.create(model="demo-strong", input=f"q{i}") for i in range(3)))
        """,
    )
    assert result.success, result.error_in_exec
    ip.run_cell_magic("rollout", "direct --name d0", 'oai.responses.create(model="demo-strong", input="direct")')
    client = reader(ip)
    [awaited] = list(client.runs.get("awaited").rollouts())
    assert sorted(e.content for e in awaited.events() if e.type == "user_message") == ["q0", "q1", "q2"]
    [direct] = list(client.runs.get("direct").rollouts())
    assert direct.rollout_name == "d0" and direct.status == "finished"
    assert [e.content for e in direct.events() if e.type == "user_message"] == ["direct"]


def test_help_documents_every_option(ip) -> None:
    doc = ip.find_cell_magic("rollout").__doc__
    for option in (
        "--name",
        "--env",
        "--split",
        "--meta",
        "--task",
        "--as",
        "--no-capture",
        "--quiet",
        "--store",
        "run",
    ):
        assert option in doc
    assert "rollout_config" in ip.find_line_magic("rollout_config").__doc__
