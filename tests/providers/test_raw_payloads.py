"""The raw provider payload: stored per event as the adapter described it, switchable off, unaffected by
later changes to the logged objects, never holding attachment bytes twice, nor the strings its event's row
already holds; read back exactly as the provider sent it, and as older versions stored it."""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest

from openreward_nb import OpenReward
from openreward_nb.events import Event
from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses
from openreward_nb.providers._common import json_text
from openreward_nb.store import raw_codec, schema
from openreward_nb.store.raw_shapes import SHAPES

from ..helpers import REPO
from . import payloads as P
from .harness import anthropic_create, chat_create, gemini_generate, recorded, responses_create, stored
from .raw_cases import all_cases

#: a store written by openreward-nb at schema version 2 (before references), as SQL; made by recording a few
#: payloads of every provider (raw_cases), the four benchmark chat messages and a captured provider error
OLD_STORE_SQL = REPO / "tests" / "fixtures" / "stores" / "raw_schema2.sql"

CASES = [
    ("log_openai_response", openai_responses, lambda: responses_create(P.RESPONSES_BUILTIN_TOOLS)),
    ("log_openai_response", openai_responses, lambda: P.RESPONSES_INPUT_ITEMS),
    (
        "log_openai_completions",
        openai_chat,
        lambda: chat_create(recorded("openrouter_chat", "anthropic_reasoning_details_signature").body),
    ),
    (
        "log_openai_completions",
        openai_chat,
        lambda: [P.CHAT_MULTIMODAL_USER, P.CHAT_TEXT_AND_TWO_CALLS["choices"][0]["message"]],
    ),
    ("log_anthropic_message", anthropic, lambda: anthropic_create(P.ANTHROPIC_SERVER_TOOLS)),
    (
        "log_anthropic_message",
        anthropic,
        lambda: recorded("anthropic", "tool_result_with_image_block").request["messages"],
    ),
    ("log_gdm_message", gemini, lambda: gemini_generate(P.GEMINI_CODE_EXECUTION)),
    ("log_gdm_message", gemini, lambda: P.GEMINI_FUNCTION_RESPONSES),
]


@pytest.mark.parametrize("method, module, make", CASES)
def test_stored_raw_is_the_adapters_payload_without_inline_bytes(client, method, module, make) -> None:
    value = make()
    rollout = client.rollout.create("raw")
    getattr(rollout, method)(value)
    expected = [ev.raw.to_dict() for ev in module.to_events(value)]
    records = stored(rollout)
    assert [r.raw() for r in records] == json.loads(json.dumps(expected))
    assert {r.raw()["provider"] for r in records} == {module.NAME}
    text = json.dumps([r.raw() for r in records])
    for b64 in (P.PNG_B64, P.PDF_B64):
        assert b64 not in text
    if any(r.attachments for r in records):
        assert '"$blob"' in text


@pytest.mark.parametrize("method, module, make", CASES)
def test_keep_raw_false_stores_no_payload_but_keeps_attachments(store_path, method, module, make) -> None:
    client = OpenReward(store=store_path, keep_raw=False)
    rollout = client.rollout.create("no-raw")
    getattr(rollout, method)(make())
    records = stored(rollout)
    client.close()
    assert records and all(r.raw() is None for r in records)
    assert [len(r.attachments) for r in records] == [len(e.attachments or []) for e in module.to_events(make())]


def test_changing_a_logged_dict_afterwards_changes_nothing_stored(client) -> None:
    message = {"role": "user", "content": "original"}
    rollout = client.rollout.create("mutation")
    rollout.log_openai_completions(message)
    message["content"] = "changed later"
    message["role"] = "system"
    (event,) = stored(rollout)
    assert (event.type, event.content) == ("user_message", "original")
    assert event.raw()["item"] == {"role": "user", "content": "original"}


def test_reward_and_end_flag_go_on_the_last_event_only(client) -> None:
    rollout = client.rollout.create("reward")
    rollout.log_anthropic_message(
        anthropic_create(recorded("anthropic", "thinking_signature_then_tool_use").body),
        reward=2.0,
        is_finished=True,
        metadata={"turn": 1},
    )
    events = stored(rollout)
    assert [e.reward for e in events] == [None, None, 2.0] and [e.is_finished for e in events] == [False, False, True]
    assert rollout.record().total_reward == 2.0
    assert {json.dumps(e.metadata) for e in events} == {'{"turn": 1}'}


# --- exactly as the provider sent it, at a fraction of the size ------------------------------------------
def as_stored_before(event: Event) -> Any:
    """The payload as the store held it before references: the whole of it as JSON, read back."""
    if event.raw is None:
        return None
    text = json.dumps(event.raw.to_dict(), ensure_ascii=False)
    return json.loads(text, parse_constant=str)  # a bare NaN was stored as the string "NaN"


def _held_twice(payload: Any, columns: tuple[str | None, ...]) -> list[str]:
    """Texts of 32 characters or more that an event's columns hold and its payload holds again: as a string,
    or as the JSON text of an object or array (a tool's input)."""
    long = {c for c in columns if c and len(c) >= 32}
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str) and node in long:
            found.append(node)
        elif isinstance(node, (dict, list)):
            if long and json_text(node) in long:
                found.append(json_text(node))
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(payload)
    return found


def _rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as con:
        return con.execute(
            "SELECT o.rollout_name, e.idx, e.raw, "
            + ", ".join(f"e.{c}" for c in raw_codec.REF_COLUMNS)
            + " FROM events e JOIN rollouts o ON o.id = e.rollout_id ORDER BY o.seq, e.idx"
        ).fetchall()


CASES = all_cases()


def exactly(payloads: list[Any]) -> str:
    """Payloads as JSON text: equal only if equal in every key's order and every number's type (1, 1.0, true)."""
    return json.dumps(payloads)


@pytest.mark.parametrize("make", [m for _, m in CASES], ids=[i for i, _ in CASES])
def test_every_payload_reads_back_exactly_as_before_without_its_rows_strings(client, store_path, make) -> None:
    rollout = client.rollout.create("raw", rollout_name="case")
    sink = rollout.capture_sink()
    for _ in range(2):  # the second time, the writer checks each payload against what it wrote the first
        for event in make(True):
            sink.log(event)
    records = stored(rollout)
    expected = [as_stored_before(e) for e in make(True)] * 2
    assert exactly([r.raw() for r in records]) == exactly(expected)
    for (_, idx, text, *columns), payload in zip(_rows(store_path), expected, strict=True):
        for twice in _held_twice(payload, tuple(columns)):
            assert twice not in text and json.dumps(twice, ensure_ascii=False)[1:-1] not in text, (idx, text)


#: chat messages alike in their keys, each unlike the one before in one value only
NEAR_MISSES = [
    {"role": "user", "content": "a" * 40},
    {"role": "user", "content": " " + "b" * 40},  # the event holds it stripped
    {"role": "user", "content": "  " + "b" * 40},
    {"role": "user", "content": "b" * 40 + "\n"},
    {"role": "user", "content": "user"},  # equal to the role
    {"role": "system", "content": "c" * 40},
    {"role": "tool", "tool_call_id": "call_1", "content": "d" * 40, "is_error": False},
    {"role": "tool", "tool_call_id": "call_2", "content": "e" * 40, "is_error": 0},
    {"role": "tool", "tool_call_id": "call_3", "content": "f" * 40, "is_error": 0.0},
    {"role": "tool", "tool_call_id": "g" * 40, "content": "g" * 40, "is_error": 0},
    {"role": "assistant", "content": "h" * 40, "refusal": None},
    {"role": "assistant", "content": "i" * 40, "refusal": float("nan")},
    {"role": "assistant", "content": "j" * 40, "refusal": "k" * 40},
    {"role": "assistant", "content": "l" * 40, "refusal": {"nested": None}},
    {"role": "assistant", "content": "m" * 40, "refusal": {"nested": float("-inf")}},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "n1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "n2", "type": "function", "function": {"name": "f", "arguments": "{}", "x": 1}}],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "n3", "type": "function", "function": {"name": "f", "arguments": "{}", "x": True}}],
    },
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "n4", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    },
]


def test_a_remembered_text_serves_only_a_payload_it_fits_exactly(client) -> None:
    rollout = client.rollout.create("near-misses")
    for _ in range(2):
        for message in NEAR_MISSES:
            rollout.log_openai_completions(message)
    events = [e for m in NEAR_MISSES for e in openai_chat.to_events(m)] * 2
    assert exactly([r.raw() for r in stored(rollout)]) == exactly([as_stored_before(e) for e in events])


def test_a_payload_stored_without_its_row_is_stored_whole(client) -> None:
    from openreward_nb.store.ops import encode_raw

    message = BENCHMARK_MESSAGES[0]
    client.rollout.create("warm").log_openai_completions(message)  # its structure remembered
    client.rollout.flush()
    (event,) = openai_chat.to_events(message)
    assert json.loads(encode_raw(event.raw)) == {
        "provider": "openai_chat",
        "item": message,
    }  # as a rescue file holds it


@pytest.mark.postgres
def test_every_payload_reads_back_exactly_on_postgresql() -> None:
    from ..store.pg import fresh_schema, server_url

    server_url()
    with fresh_schema() as url:
        client = OpenReward(store=url)
        try:
            rollouts = []
            for _, make in CASES:
                rollout = client.rollout.create("raw")
                sink = rollout.capture_sink()
                for event in make(True):
                    sink.log(event)
                rollouts.append(rollout)
            client.rollout.flush()
            for (name, make), rollout in zip(CASES, rollouts, strict=True):
                assert [r.raw() for r in stored(rollout)] == [as_stored_before(e) for e in make(True)], name
        finally:
            client.close()


BENCHMARK_MESSAGES = [
    {"role": "user", "content": "u" * 1200},
    {"role": "assistant", "content": "a" * 1200},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_0_2", "type": "function", "function": {"name": "bash", "arguments": "{}" * 600}}],
    },
    {"role": "tool", "tool_call_id": "call_0_2", "content": "r" * 1200},
]


def test_common_messages_cost_a_shape_number(client, store_path) -> None:
    rollout = client.rollout.create("shapes")
    for message in BENCHMARK_MESSAGES:
        rollout.log_openai_completions(message)
    rollout.log_anthropic_message({"role": "user", "content": [{"type": "text", "text": "hi " * 100}]})
    rollout.log_gdm_message({"role": "model", "parts": [{"text": "hello " * 100}]})
    rollout.log_openai_response({"type": "function_call_output", "call_id": "call_9", "output": "out " * 100})
    records = stored(rollout)
    assert [len(text) for _, _, text, *_ in _rows(store_path)] == [3, 3, 3, 3, 4, 4, 4]
    assert records[2].raw()["item"]["function"]["arguments"] == "{}" * 600
    assert records[3].raw() == {"provider": "openai_chat", "item": BENCHMARK_MESSAGES[3]}


@pytest.mark.parametrize("code", sorted(SHAPES))
def test_each_shape_is_the_text_the_writer_would_store(code: int) -> None:
    _, refs = json.loads(SHAPES[code])
    columns = {name: f"what the {name} column holds, long enough to matter" for name in raw_codec.REF_COLUMNS}
    payload = raw_codec.decode(f"[{code}]", columns)
    assert raw_codec.encode(payload, tuple(columns[c] for c in raw_codec.REF_COLUMNS)) == f"[{code}]"
    assert all(isinstance(ref[0], str) for ref in refs)


# --- stores written before references --------------------------------------------------------------------
def test_a_store_written_before_references_reads_back_unchanged(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript(OLD_STORE_SQL.read_text())
        before = con.execute("SELECT idx, raw FROM events ORDER BY idx").fetchall()
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    client = OpenReward(store=path)
    try:
        (rollout,) = client.runs.get("written-by-schema-2").rollouts()
        events = list(rollout.events())
        assert [e.idx for e in events] == [idx for idx, _ in before]
        assert [e.raw() for e in events] == [json.loads(raw, parse_constant=str) for _, raw in before]
        assert events[-1].raw()["body"]["error"]["retry_after"] == "NaN"
        more = client.rollout.create("written-by-this-version")  # the same store takes new rows beside the old
        more.log_openai_completions(BENCHMARK_MESSAGES[0])
        assert [e.raw()["item"] for e in stored(more)] == [BENCHMARK_MESSAGES[0]]
    finally:
        client.close()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(schema.SCHEMA_VERSION),
        )
        assert (
            con.execute("SELECT idx, raw FROM events WHERE rollout_id = ? ORDER BY idx", (rollout.id,)).fetchall()
            == before
        )


# --- damaged rows never break a read ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "damaged",
    [
        '[{"item":{"content":null}},[["content","item","nowhere"]]]',
        '[{"item":{"content":null}},[["summary","item","content"]]]',
        '[{"item":{"content":null}},[["no_such_column","item","content"]]]',
        '[{"item":{"content":"set"}},[["content","item","content"]]]',
        '[{"item":null},[[["content",5,1],"item"]]]',
        "[99999]",
        "[1,2,3]",
        "[{not json",
    ],
)
def test_a_damaged_reference_reads_as_missing_with_a_warning(client, store_path, damaged) -> None:
    rollout = client.rollout.create("damaged")
    rollout.log_openai_completions(BENCHMARK_MESSAGES[0])
    (event,) = stored(rollout)
    with sqlite3.connect(store_path) as con:
        con.execute("UPDATE events SET raw = ?", (damaged,))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert event.raw() is None
    assert any("event 0 raw" in str(w.message) for w in caught)
    assert event.content == "u" * 1200


def test_a_payload_that_is_an_array_or_a_column_whole_reads_back() -> None:
    columns = ("text of the content column", None, None, "tool", None)
    held = dict(zip(raw_codec.REF_COLUMNS, columns, strict=True))
    for payload in (
        [1, "two", None],
        [[1], []],
        ["text of the content column"],
        "text of the content column",
        {"a": [float("inf")]},
    ):
        text = raw_codec.encode(payload, columns)
        assert raw_codec.decode(text, held) == json.loads(json.dumps(payload), parse_constant=str)
    assert raw_codec.encode("text of the content column", columns) == '[null,[["content"]]]'
