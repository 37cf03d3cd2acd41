"""rollout.log_openai_response: Responses API objects from the real openai client, and the dicts users send."""

from __future__ import annotations

import base64
import json

import pytest

from . import payloads as P
from .harness import openai_client, recorded, responses_create, sse_events, stored


@pytest.fixture
def rollout(client):
    return client.rollout.create("responses")


def test_whole_response_logs_every_output_item_with_model_everywhere_and_usage_once(rollout) -> None:
    rec = recorded("openai_responses", "reasoning_summary_then_function_call")
    response = responses_create(rec.body)
    rollout.log_openai_response(response, reward=0.5)
    reasoning, call = stored(rollout)
    out = rec.response["output"]
    assert reasoning.type == "reasoning" and reasoning.content == ""
    assert reasoning.summary == "\n".join(s["text"] for s in out[0]["summary"]).strip()
    assert reasoning.content_reference == f"reasoning:{out[0]['id']}"
    assert (call.type, call.name, call.call_id, call.content) == (
        "tool_call",
        "update_plan",
        out[1]["call_id"],
        out[1]["arguments"],
    )
    assert {reasoning.model, call.model} == {"gpt-5-2025-08-07"}
    assert reasoning.usage is None and reasoning.reward is None
    usage = rec.response["usage"]
    assert call.usage.input_tokens == usage["input_tokens"] and call.usage.output_tokens == usage["output_tokens"]
    assert call.usage.reasoning_tokens == usage["output_tokens_details"]["reasoning_tokens"]
    assert call.stop_reason == "completed" and call.reward == 0.5
    envelope = call.raw()["response"]
    assert envelope["id"] == rec.response["id"] and "output" not in envelope
    assert reasoning.raw()["item"]["encrypted_content"] == out[0]["encrypted_content"]


def test_streamed_response_final_object_is_logged_whole(rollout) -> None:
    rec = recorded("openai_responses", "reasoning_summary_stream_sse")
    client = openai_client(rec.body, rec.content_type)
    with client.responses.stream(model="o3-mini", input="How do I cross the street?") as stream:
        final = stream.get_final_response()
    rollout.log_openai_response(final)
    reasoning, answer = stored(rollout)
    chunks = sse_events(rec.body)
    summaries = [c["text"] for c in chunks if c["type"] == "response.reasoning_summary_text.done"]
    text = next(c["text"] for c in chunks if c["type"] == "response.output_text.done")
    assert len(summaries) == 4 and reasoning.summary == "\n".join(summaries).strip()
    assert (answer.type, answer.content) == ("assistant_message", text)
    assert answer.usage is not None and answer.usage.output_tokens > 0 and reasoning.usage is None


def test_streamed_function_call_arguments_arrive_whole(rollout) -> None:
    rec = recorded("openai_responses", "function_call_stream_sse")
    client = openai_client(rec.body, rec.content_type)
    with client.responses.stream(model="gpt-4o", input="What is the capital of France?") as stream:
        final = stream.get_final_response()
    rollout.log_openai_response(final)
    (call,) = stored(rollout)
    done = next(c for c in sse_events(rec.body) if c["type"] == "response.function_call_arguments.done")
    assert call.type == "tool_call" and call.content == done["arguments"] and call.call_id


def test_request_input_list_of_dicts(rollout) -> None:
    items = recorded("openai_responses", "function_call_output_followup").request["input"]
    rollout.log_openai_response(items)
    events = stored(rollout)
    assert [e.type for e in events] == ["user_message", "reasoning", "tool_call", "tool_result"]
    assert events[2].call_id == events[3].call_id == items[2]["call_id"]
    assert events[3].content == items[3]["output"]
    assert all(e.usage is None and e.model is None for e in events)


def test_input_image_is_an_attachment_stored_once(client, store_path) -> None:
    rec = recorded("openai_responses", "input_image_base64")
    url = rec.request["input"][0]["content"][1]["image_url"]
    expected = base64.b64decode(url.split(",", 1)[1])
    for name in ("first", "second"):
        rollout = client.rollout.create("images", rollout_name=name)
        rollout.log_openai_response(rec.request["input"])
        (message,) = stored(rollout)
        assert message.content == "What fruit is in the image?"
        assert message.attachments[0]["mime"] == "image/png" and message.attachment_bytes(0) == expected
        raw_text = json.dumps(message.raw())
        assert url.split(",", 1)[1] not in raw_text
        assert message.raw()["item"]["content"][1]["image_url"]["$blob"] == message.attachments[0]["sha256"]
    import sqlite3

    with sqlite3.connect(store_path) as con:
        assert con.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1


def test_refusal_part_keeps_its_kind(rollout) -> None:
    rec = recorded("openai_responses", "refusal_content_part")
    rollout.log_openai_response(responses_create(rec.body))
    (refusal,) = stored(rollout)
    assert (refusal.type, refusal.kind) == ("assistant_message", "refusal")
    assert refusal.content == rec.response["output"][0]["content"][0]["refusal"]


def test_web_search_calls_and_citations(rollout) -> None:
    rec = recorded("openai_responses", "web_search_calls_with_url_citations")
    rollout.log_openai_response(responses_create(rec.body))
    events = stored(rollout)
    searches = [e for e in events if e.kind == "web_search_call"]
    assert (
        len(searches) == 6
        and {e.type for e in searches} == {"tool_call"}
        and {e.name for e in searches} == {"web_search"}
    )
    assert json.loads(searches[0].content)["query"] == rec.response["output"][1]["action"]["query"]
    answer = events[-1]
    assert answer.type == "assistant_message" and answer.usage.cached_tokens == 92160
    annotations = answer.raw()["item"]["content"][0]["annotations"]
    assert annotations and annotations[0]["type"] == "url_citation"


def test_built_in_tool_items(rollout) -> None:
    rollout.log_openai_response(responses_create(P.RESPONSES_BUILTIN_TOOLS))
    events = stored(rollout)
    got = [(e.type, e.kind, e.name, e.call_id, e.is_error) for e in events]
    assert got == [
        ("tool_call", "web_search_call", "web_search", "ws_1", None),
        ("tool_call", "file_search_call", "file_search", "fs_1", None),
        ("tool_result", "file_search_call", None, "fs_1", None),
        ("tool_call", "code_interpreter_call", "code_interpreter", "ci_1", None),
        ("tool_result", "code_interpreter_call", None, "ci_1", None),
        ("tool_call", "computer_call", "computer", "call_cu", None),
        ("tool_result", "mcp_list_tools", None, "ml_1", None),
        ("tool_call", "mcp_approval_request", "read", "mr_1", None),
        ("tool_call", "mcp_call", "read", "mc_1", None),
        ("tool_result", "mcp_call", None, "mc_1", None),
        ("tool_call", "mcp_call", "read", "mc_2", None),
        ("tool_result", "mcp_call", None, "mc_2", True),
        ("tool_call", "custom_tool_call", "sql", "call_ct", None),
        ("tool_call", "image_generation_call", "image_generation", "ig_1", None),
        ("tool_result", "image_generation_call", None, "ig_1", None),
        ("tool_call", "local_shell_call", "local_shell", "call_ls", None),
        ("tool_call", "shell_call", "shell", "call_sh", None),
        ("tool_call", "apply_patch_call", "apply_patch", "call_ap", None),
        ("assistant_message", None, None, None, None),
    ]
    by = {(e.type, e.call_id): e for e in events}
    assert by[("tool_call", "ci_1")].content == "print(6 * 7)"
    assert by[("tool_result", "ci_1")].content == "42"
    assert by[("tool_result", "ci_1")].attachments == [{"mime": None, "url": "https://files.example.test/plot.png"}]
    assert by[("tool_result", "mc_1")].content == "flag{mcp}"
    assert "permission denied" in by[("tool_result", "mc_2")].content
    assert by[("tool_call", "call_ct")].content == "SELECT flag FROM secrets"
    assert by[("tool_result", "ig_1")].attachment_bytes(0) == P.PNG
    assert json.loads(by[("tool_call", "call_cu")].content) == {"type": "click", "button": "left", "x": 10, "y": 20}
    assert json.loads(by[("tool_result", "fs_1")].content)[0]["text"] == "the flag is in /tmp"
    # the call and its embedded result split the item's raw payload between them
    assert "output" not in by[("tool_call", "mc_1")].raw()["item"]
    assert by[("tool_result", "mc_1")].raw()["item"] == {"output": "flag{mcp}"}
    assert (
        by[("tool_result", "ig_1")].raw()["item"]["result"]["$blob"]
        == by[("tool_result", "ig_1")].attachments[0]["sha256"]
    )
    assert events[-1].stop_reason == "max_output_tokens" and events[-1].usage.cached_tokens == 100


def test_input_items_beyond_messages(rollout) -> None:
    rollout.log_openai_response(P.RESPONSES_INPUT_ITEMS)
    events = stored(rollout)
    assert [(e.type, e.kind) for e in events] == [
        ("system_message", None),
        ("user_message", None),
        ("tool_call", None),
        ("tool_result", None),
        ("tool_result", "computer_call_output"),
        ("tool_result", "custom_tool_call_output"),
        ("tool_result", "local_shell_call_output"),
        ("tool_result", "shell_call_output"),
        ("tool_result", "apply_patch_call_output"),
        ("tool_result", "mcp_approval_response"),
        ("assistant_message", "item_reference"),
    ]
    system, user, _, shot, screen, custom, local, shell, patch, approval, _ = events
    assert system.content == "You solve CTF tasks."
    assert user.content == "Read this: "
    assert [(a["mime"], a.get("name")) for a in user.attachments] == [
        ("application/pdf", "task.pdf"),
        ("audio/wav", None),
        (None, None),
    ]
    assert user.attachment_bytes(0) == P.PDF and user.attachments[2]["url"] == "https://files.example.test/board.png"
    assert json.loads(shot.content) == [
        {"type": "input_text", "text": "captured"},
        {"type": "input_image", "attachment": 0},
    ]
    assert shot.attachment_bytes(0) == P.PNG and screen.attachment_bytes(0) == P.PNG and screen.content == ""
    assert (custom.call_id, custom.content) == ("call_ct", "flag{sql}")
    assert (local.call_id, local.content) == ("call_ls", "flag.txt\n")
    assert json.loads(shell.content)[0]["stdout"] == "flag{sh}"
    assert patch.is_error is True and patch.content == "patch does not apply"
    assert approval.call_id == "mr_1" and json.loads(approval.content) == {"approve": False, "reason": "not /etc"}


def test_one_output_item_object(rollout) -> None:
    response = responses_create(recorded("openai_responses", "reasoning_summary_then_function_call").body)
    rollout.log_openai_response(response.output[1], is_finished=True)
    (call,) = stored(rollout)
    assert call.type == "tool_call" and call.is_finished and call.model is None and call.usage is None
    assert call.raw()["item"]["type"] == "function_call" and "response" not in call.raw()
