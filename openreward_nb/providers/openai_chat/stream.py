"""Chat Completions streams merged into the completion the same call returns unstreamed.

Written for every OpenAI-compatible server, not only OpenAI's: OpenRouter, vLLM, SGLang,
Together, Groq, DeepSeek and LiteLLM proxies differ in what a chunk repeats and what it
leaves out, and the openai SDK's own merge (``ChatCompletionStreamState``) joins every
repeated string (a ``role`` sent in each chunk becomes ``assistantassistant...``) and
refuses tool-call fragments without an ``index``. Here:

- text is joined (``content``, ``refusal``, ``reasoning``, ``reasoning_content``, tool
  arguments, reasoning ``text`` / ``summary`` / ``data`` / ``signature``);
- what names or identifies (``role``, ``id``, ``type``, ``name``, ``format``, ``index``)
  keeps its first value however often a server repeats it;
- ``reasoning_details`` and ``thinking_blocks`` entries merge by ``index``, else by ``id``,
  else into the entry before them of the same type;
- a tool-call fragment joins the call with its ``index`` (unless it names another call's
  ``id``), else the call with its ``id``, else the call before it;
- usage is the last one sent: in a chunk with no choices, in the finishing chunk, or in
  Groq's ``x_groq``; log probabilities add up token by token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._common import fields

_IDENTIFYING = frozenset({"role", "id", "type", "name", "format", "index"})
#: Lists of reasoning pieces, merged entry by entry rather than appended.
_SEGMENTED = frozenset({"reasoning_details", "thinking_blocks"})
_CHOICE_KEYS = ("finish_reason", "native_finish_reason")
_NOT_ENVELOPE = frozenset({"choices", "usage", "object", "obfuscation", "x_groq"})


def plain(value: Any) -> Any:
    """A plain copy of a chunk's value: SDK objects read as dicts, unset (None) fields left out."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    f = fields(value)
    if isinstance(f, Mapping):
        return {k: plain(v) for k, v in f.items() if v is not None}
    return value


def merge(into: dict[str, Any], delta: Mapping[str, Any]) -> None:
    """Fold one plain ``delta`` into ``into`` by the rules in this module's docstring."""
    for key, value in delta.items():
        if value is None:
            continue
        if key == "tool_calls" and isinstance(value, list):
            _merge_calls(into.setdefault("tool_calls", []), value)
            continue
        if key in _SEGMENTED and isinstance(value, list):
            _merge_segments(into.setdefault(key, []), value)
            continue
        old = into.get(key)
        if old is None or (key in _IDENTIFYING and old == ""):
            into[key] = value
        elif key in _IDENTIFYING:
            continue
        elif isinstance(old, str) and isinstance(value, str):
            into[key] = old + value
        elif isinstance(old, dict) and isinstance(value, dict):
            merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            old.extend(value)
        else:
            into[key] = value


def _merge_segments(entries: list[Any], pieces: list[Any]) -> None:
    """Reasoning entries: a piece continues the entry with its index, else its id, else the last of its type."""
    for piece in pieces:
        if not isinstance(piece, dict):
            entries.append(piece)
            continue
        target = None
        if piece.get("index") is not None:
            target = next((e for e in entries if isinstance(e, dict) and e.get("index") == piece["index"]), None)
        elif piece.get("id") is not None:
            target = next((e for e in entries if isinstance(e, dict) and e.get("id") == piece["id"]), None)
        elif entries and isinstance(entries[-1], dict) and entries[-1].get("index") is None:
            if entries[-1].get("type") == piece.get("type"):
                target = entries[-1]
        if target is None:
            entries.append(dict(piece))
        else:
            merge(target, piece)


def _merge_calls(calls: list[dict[str, Any]], fragments: list[Any]) -> None:
    """Tool-call fragments: each joins a call already started, or starts one."""
    for fragment in fragments:
        if not isinstance(fragment, dict):
            continue
        index, call_id = fragment.get("index"), fragment.get("id")
        target = None
        if index is not None:
            target = next((c for c in calls if c.get("index") == index), None)
            if target is not None and call_id and target.get("id") and target["id"] != call_id:
                target = None  # a server numbering every call 0, told apart by id
        elif call_id:
            target = next((c for c in calls if c.get("id") == call_id), None)
        elif calls:
            target = calls[-1]
        if target is None:
            call = dict(fragment)
            if "function" in call and "type" not in call:
                call["type"] = "function"
            if call.get("index") is None:
                call["index"] = len(calls)
            calls.append(call)
        else:
            merge(target, {k: v for k, v in fragment.items() if k != "index"})


class ChatCompletionStream:
    """``ChatCompletionChunk`` objects (or their dicts), merged into a ``chat.completion`` dict."""

    def __init__(self, request: dict[str, Any] | None = None) -> None:
        self.envelope: dict[str, Any] = {}
        self.choices: dict[int, dict[str, Any]] = {}
        self.usage: Any = None
        self.seen = False

    def add(self, chunk: Any) -> None:
        c = fields(chunk)
        if not isinstance(c, Mapping):
            return
        self.seen = True
        for key, value in c.items():
            if key not in _NOT_ENVELOPE and value is not None and self.envelope.get(key) is None:
                self.envelope[key] = plain(value)
        usage = c.get("usage")
        if usage is None:
            usage = fields(c.get("x_groq")).get("usage")
        if usage is not None:
            self.usage = plain(usage)
        for choice in c.get("choices") or ():
            ch = fields(choice)
            index = ch.get("index") or 0
            state = self.choices.setdefault(index, {"index": index, "message": {}})
            delta = ch.get("delta")
            if delta is not None:
                merge(state["message"], plain(delta))
            logprobs = ch.get("logprobs")
            if logprobs is not None:
                merge(state.setdefault("logprobs", {}), plain(logprobs))
            for key in _CHOICE_KEYS:
                if ch.get(key) is not None:
                    state[key] = plain(ch.get(key))

    def result(self) -> dict[str, Any] | None:
        if not self.seen:
            return None
        choices = []
        for index in sorted(self.choices):
            choice = self.choices[index]
            message = {"role": "assistant", **choice["message"]}
            if message.get("tool_calls"):
                message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in message["tool_calls"]]
            choices.append({**choice, "message": message, "finish_reason": choice.get("finish_reason")})
        out = {**self.envelope, "object": "chat.completion", "choices": choices}
        if self.usage is not None:
            out["usage"] = self.usage
        return out


def merge_chunks(chunks: Iterable[Any]) -> dict[str, Any] | None:
    """The ``chat.completion`` dict a list of streamed chunks adds up to (None for no chunks)."""
    stream = ChatCompletionStream()
    for chunk in chunks:
        stream.add(chunk)
    return stream.result()
