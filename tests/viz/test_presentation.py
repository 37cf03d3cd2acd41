"""One presentation of an event: the table every view reads, and the one body formatter."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from types import MappingProxyType

import pytest

from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult
from openreward_nb._printing import print_event
from openreward_nb.events import EVENT_TYPES, Event
from openreward_nb.viz import presentation, static, text
from openreward_nb.viz.body import event_body, fold_title, tool_output
from openreward_nb.viz.payload import event_payload
from openreward_nb.viz.presentation import LOOKS, look, looks_data, reward_tone


def test_every_event_type_has_one_look() -> None:
    assert tuple(LOOKS) == EVENT_TYPES
    assert {lk.body for lk in LOOKS.values()} <= {"markdown", "text", "json", "output", "folded"}
    data = looks_data()
    assert list(data) == list(EVENT_TYPES)
    assert data["tool_call"] == {
        "label": "tool call",
        "light": "#9a6700",
        "dark": "#d29922",
        "icon": "⚒",
        "body": "json",
    }
    other = look("image_generation")  # a kind from a newer store: its own name, grey, text
    assert other.label == "image_generation" and other.body == "text"


def test_every_view_reads_the_table(client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relabel and recolour tool calls in the table alone: terminal, print_messages, static HTML and the
    widget's data all follow."""
    r = client.rollout.create(run_name="looks")
    r.log(ToolCall(name="bash", content=json.dumps({"command": "ls"}), call_id="c1"))
    ev = r.record().event(0)
    changed = replace(LOOKS["tool_call"], label="TOOL-INVOCATION", light="#123456", dark="#654321", ansi="36")
    monkeypatch.setattr(presentation, "LOOKS", MappingProxyType({**LOOKS, "tool_call": changed}))
    presentation.looks_data.cache_clear()
    try:
        assert "TOOL-INVOCATION" in text.event_text(ev, index=0)
        assert "\033[1;36mTOOL-INVOCATION" in text.event_text(ev, index=0, color=True)
        printed = io.StringIO()
        print_event(Event("tool_call", "{}", name="bash"), 0, None, False, printed)
        assert "TOOL-INVOCATION" in printed.getvalue()
        html = static.event_html(ev)
        assert "TOOL-INVOCATION" in html and "light-dark(#123456, #654321)" in html
        assert looks_data()["tool_call"]["label"] == "TOOL-INVOCATION"
    finally:
        presentation.looks_data.cache_clear()


def test_reward_tone_is_neutral_at_zero() -> None:
    assert [reward_tone(v) for v in (1.0, 0.0, -0.0, -0.5)] == ["good", "zero", "zero", "bad"]


@pytest.mark.parametrize(
    ("content", "shown", "body"),
    [
        (json.dumps({"stdout": "a\nb", "code": 0}), "json", '{\n  "stdout": "a\\nb",\n  "code": 0\n}'),
        (json.dumps([1, {"y": "z"}]), "json", '[\n  1,\n  {\n    "y": "z"\n  }\n]'),
        (json.dumps({"result": "line one\nline two"}), "text", "line one\nline two"),  # a wrapped string
        (json.dumps("just text\nhere"), "text", "just text\nhere"),
        ("plain output\n  indented", "text", "plain output\n  indented"),
        ("{broken", "text", "{broken"),
        ("42", "text", "42"),
    ],
)
def test_tool_output_json_as_json_text_as_text(content: str, shown: str, body: str) -> None:
    assert tool_output(content) == (shown, body)


def test_tool_call_arguments_stay_json_even_with_one_key() -> None:
    body = event_body(Event("tool_call", json.dumps({"command": "ls -la"}), name="bash"), None)
    assert (body.format, body.text) == ("json", '{\n  "command": "ls -la"\n}')
    assert event_body(Event("tool_call", "not json", name="bash"), None).format == "text"


def test_reasoning_folds_behind_its_first_line_without_repeating_it() -> None:
    # OpenAI: a summary with a bold title; the title is the folded line, not repeated below it
    openai = event_body(Event("reasoning", None, summary="**Planning the search**\n\nFirst list files."), None)
    assert (openai.title, openai.note, openai.text) == ("Planning the search", "First list files.", "")
    # Anthropic / Gemini / OpenRouter: text only; its first line is the folded line, the rest below
    thinking = event_body(Event("reasoning", "The user wants X.\nSo I will do Y.\nThen Z."), None)
    assert thinking.format == "folded" and thinking.title == "The user wants X."
    assert thinking.text == "So I will do Y.\nThen Z." and thinking.full == len(thinking.text)
    # a very long first line: cut in the title, the whole text below
    long = "word " * 100
    title, rest = fold_title(long)
    assert title.endswith("…") and len(title) == 160 and rest == long.strip()
    assert event_body(Event("reasoning", None, content_reference="gAAA"), None).title == "encrypted reasoning"


def test_payload_carries_the_resolved_body_and_the_reward_tone(client) -> None:
    r = client.rollout.create(run_name="payload")
    r.log(ReasoningItem(content="Let me think.\nStep two."))
    r.log(ToolResult(content=json.dumps({"result": "done\nok"}), call_id="c"), reward=0.0)
    r.log(AssistantMessage("**bold**"), reward=1.0)
    rec = r.record()
    folded, result, said = (event_payload(rec.event(i)) for i in range(3))
    assert (folded["b"], folded["ti"], folded["text"]) == ("folded", "Let me think.", "Step two.")
    assert (result["b"], result["text"], result["rt"]) == ("text", "done\nok", "zero")
    assert (said["b"], said["rt"]) == ("markdown", "good") and said["md"].startswith("<p><strong>bold")


def test_print_messages_and_show_share_one_formatter(client) -> None:
    r = client.rollout.create(run_name="same")
    r.log(ToolCall(name="search", content='{"q": "x"}', call_id="c9"), reward=0.25)
    stored = r.record().event(0)
    printed = io.StringIO()
    print_event(Event("tool_call", '{"q": "x"}', name="search", call_id="c9"), 0, 0.25, False, printed)
    lines = printed.getvalue().splitlines()
    assert lines[0] == "─" * 72
    assert lines[1:] == text.event_text(stored, index=0, reward=0.25).splitlines()
