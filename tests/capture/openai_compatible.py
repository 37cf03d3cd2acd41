"""One answer as OpenAI-compatible servers send it: the non-streamed JSON and the SSE stream, in each server's format.

Each :class:`Server` below says where its format comes from. What they share is taken from
the recorded OpenAI stream (``tests/fixtures/recorded/openai_chat/tool_call_stream_sse``:
``data:`` lines, ``[DONE]``, the first tool-call fragment carrying id, type and name, the
later ones only ``index`` and argument text) and the recorded OpenRouter completion
(``tests/fixtures/recorded/openrouter_chat/anthropic_reasoning_details_signature``:
``reasoning`` beside ``reasoning_details`` with ``format``, ``index`` and ``signature``,
usage with ``cost``). Nothing here is a recording: the bodies are written for the tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

REASONING = "The user wants the flag. I will list the files first, then read the flag file it points to."
SUMMARY = "**Finding the flag**\n\nList the files, then read the flag."
TEXT = "Let me look around first."
CALLS = (
    ("call_7fa1", "bash", {"command": "ls -la /home/ctf", "timeout": 30}),
    ("call_9b02", "read_file", {"path": "/home/ctf/flag.txt"}),
)
SIGNATURE = "EqQBCkgIBxABGAIqQKx0c2lnbmF0dXJlLWJ5dGVzLW9mLXRoZS10aGlua2luZy1ibG9jaw=="
ENCRYPTED = "gAAAAABo" + "c2VjcmV0LXJlYXNvbmluZy1zdGF0ZQ" * 4
PROMPT_TOKENS, COMPLETION_TOKENS, REASONING_TOKENS, CACHED_TOKENS = 812, 240, 128, 512


def pieces(text: str, size: int = 11) -> list[str]:
    """A text cut into the small deltas a stream sends."""
    return [text[i : i + size] for i in range(0, len(text), size)]


@dataclass(frozen=True)
class Server:
    """How one server family writes the same answer; ``source`` says where its format was read."""

    name: str
    source: str
    model: str
    #: where the reasoning text goes: "reasoning", "reasoning_content", or None (no reasoning text)
    reasoning_field: str | None = "reasoning"
    #: OpenRouter's reasoning_details: None, "text+signature" (Anthropic models), "summary+encrypted" (OpenAI models)
    details: str | None = None
    #: a LiteLLM proxy's Anthropic-style thinking_blocks, the signature in the last one
    thinking_blocks: bool = False
    role_every_chunk: bool = False
    #: "openai" (id/type/name first, then index + argument text), "vllm" (first fragment without
    #: arguments, name and first argument text as two entries of one chunk), "whole" (each call
    #: complete in one fragment), "no-index" (no index anywhere; later fragments lack id and type)
    tool_style: str = "openai"
    #: "empty-choices" (a last chunk with usage and no choices), "finish" (usage in the finishing
    #: chunk), "x_groq" (usage under x_groq in the finishing chunk)
    usage_style: str = "empty-choices"
    comments: tuple[str, ...] = ()
    delta_extra: dict[str, Any] = field(default_factory=dict)
    choice_extra: dict[str, Any] = field(default_factory=dict)
    envelope_extra: dict[str, Any] = field(default_factory=dict)
    usage_extra: dict[str, Any] = field(default_factory=dict)
    #: the openai SDK's own merge (``chat.completions.stream()``) copes with this format
    sdk_helper_merges: bool = True

    # --- the answer, whole --------------------------------------------------------------
    @property
    def reasoning_text(self) -> str | None:
        """The reasoning as the message carries it (None when the server sends none)."""
        if self.details == "summary+encrypted":
            return SUMMARY
        return REASONING if (self.reasoning_field or self.thinking_blocks or self.details) else None

    def usage(self) -> dict[str, Any]:
        return {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            "prompt_tokens_details": {"cached_tokens": CACHED_TOKENS},
            "completion_tokens_details": {"reasoning_tokens": REASONING_TOKENS},
            **self.usage_extra,
        }

    def _details(self) -> list[dict[str, Any]]:
        if self.details == "text+signature":
            return [
                {
                    "type": "reasoning.text",
                    "text": REASONING,
                    "signature": SIGNATURE,
                    "format": "anthropic-claude-v1",
                    "index": 0,
                }
            ]
        if self.details == "summary+encrypted":
            return [
                {
                    "type": "reasoning.summary",
                    "summary": SUMMARY,
                    "id": "rs_0a1b",
                    "format": "openai-responses-v1",
                    "index": 0,
                },
                {
                    "type": "reasoning.encrypted",
                    "data": ENCRYPTED,
                    "id": "rs_0a1b",
                    "format": "openai-responses-v1",
                    "index": 1,
                },
            ]
        return []

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": TEXT, "refusal": None}
        if self.reasoning_field and self.reasoning_text:
            message[self.reasoning_field] = self.reasoning_text
        if self.details:
            message["reasoning_details"] = self._details()
        if self.thinking_blocks:
            message["thinking_blocks"] = [{"type": "thinking", "thinking": REASONING, "signature": SIGNATURE}]
        message["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for call_id, name, args in CALLS
        ]
        return message

    def completion(self) -> dict[str, Any]:
        """The non-streamed ``chat.completion``."""
        choice = {
            "index": 0,
            "message": self.message(),
            "logprobs": None,
            "finish_reason": "tool_calls",
            **self.choice_extra,
        }
        return {
            "id": f"{self.name}-cmpl-1",
            "object": "chat.completion",
            "created": 1782955817,
            "model": self.model,
            **self.envelope_extra,
            "choices": [choice],
            "usage": self.usage(),
        }

    # --- the answer, streamed -----------------------------------------------------------
    def _reasoning_deltas(self) -> list[dict[str, Any]]:
        deltas: list[dict[str, Any]] = []
        if self.details == "summary+encrypted":
            for piece in pieces(SUMMARY):
                detail = {
                    "type": "reasoning.summary",
                    "summary": piece,
                    "id": "rs_0a1b",
                    "format": "openai-responses-v1",
                    "index": 0,
                }
                deltas.append({"reasoning": piece, "reasoning_details": [detail]})
            encrypted = {
                "type": "reasoning.encrypted",
                "data": ENCRYPTED,
                "id": "rs_0a1b",
                "format": "openai-responses-v1",
                "index": 1,
            }
            deltas.append({"reasoning_details": [encrypted]})
            return deltas
        if self.reasoning_text is None:
            return deltas
        for piece in pieces(REASONING):
            delta: dict[str, Any] = {}
            if self.reasoning_field:
                delta[self.reasoning_field] = piece
            if self.details == "text+signature":
                delta["reasoning_details"] = [
                    {"type": "reasoning.text", "text": piece, "format": "anthropic-claude-v1", "index": 0}
                ]
            if self.thinking_blocks:
                delta["thinking_blocks"] = [{"type": "thinking", "thinking": piece, "signature": None}]
            deltas.append(delta)
        if self.details == "text+signature":
            detail = {
                "type": "reasoning.text",
                "text": "",
                "signature": SIGNATURE,
                "format": "anthropic-claude-v1",
                "index": 0,
            }
            deltas.append({"reasoning_details": [detail]})
        if self.thinking_blocks:
            deltas.append({"thinking_blocks": [{"type": "thinking", "thinking": "", "signature": SIGNATURE}]})
        return deltas

    def _tool_deltas(self) -> list[dict[str, Any]]:
        deltas: list[dict[str, Any]] = []
        for i, (call_id, name, args) in enumerate(CALLS):
            arguments = json.dumps(args)
            if self.tool_style == "whole":
                call = {
                    "index": i,
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
                deltas.append({"tool_calls": [call]})
                continue
            parts = pieces(arguments, 7)
            if self.tool_style == "openai":
                opening = {"index": i, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
                deltas.append({"tool_calls": [opening]})
            elif self.tool_style == "vllm":
                opening = {"index": i, "id": call_id, "type": "function", "function": {"name": name}}
                first = {"index": i, "function": {"arguments": parts.pop(0)}}
                deltas.append({"tool_calls": [opening, first]})
            else:  # "no-index"
                opening = {"id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
                deltas.append({"tool_calls": [opening]})
            for part in parts:
                fragment: dict[str, Any] = {"function": {"arguments": part}}
                if self.tool_style != "no-index":
                    fragment["index"] = i
                deltas.append({"tool_calls": [fragment]})
        return deltas

    def chunks(self) -> list[dict[str, Any]]:
        """The ``chat.completion.chunk`` objects of the stream, in order."""
        deltas = [{"role": "assistant", "content": ""}, *self._reasoning_deltas()]
        deltas += [{"content": piece} for piece in pieces(TEXT)]
        deltas += self._tool_deltas()
        head = {
            "id": f"{self.name}-cmpl-1",
            "object": "chat.completion.chunk",
            "created": 1782955817,
            "model": self.model,
        }
        head.update(self.envelope_extra)
        out = []
        for delta in deltas:
            if self.role_every_chunk:
                delta = {"role": "assistant", **delta}
            choice = {"index": 0, "delta": {**delta, **self.delta_extra}, "logprobs": None, "finish_reason": None}
            out.append({**head, "choices": [choice]})
        finish: dict[str, Any] = {
            "index": 0,
            "delta": {"role": "assistant", "content": ""} if self.role_every_chunk else {},
        }
        finish.update(logprobs=None, finish_reason="tool_calls", **self.choice_extra)
        last: dict[str, Any] = {**head, "choices": [finish]}
        if self.usage_style == "finish":
            last["usage"] = self.usage()
        elif self.usage_style == "x_groq":
            last["x_groq"] = {"id": "req_01k", "usage": self.usage()}
        out.append(last)
        if self.usage_style == "empty-choices":
            out.append({**head, "choices": [], "usage": self.usage()})
        return out

    def sse(self) -> bytes:
        """The ``text/event-stream`` body: comment lines first and between, chunks, ``[DONE]``."""
        lines: list[str] = [f": {comment}\n\n" for comment in self.comments]
        for n, chunk in enumerate(self.chunks()):
            lines.append(f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n")
            if self.comments and n % 5 == 4:
                lines.append(f": {self.comments[0]}\n\n")
        lines.append("data: [DONE]\n\n")
        return "".join(lines).encode()


SERVERS = [
    Server(
        "openrouter-claude",
        "OpenRouter docs (API reference 'Streaming': ': OPENROUTER PROCESSING' comments, usage in a last chunk "
        "with empty choices; 'Reasoning tokens': reasoning and reasoning_details deltas) and the recorded "
        "OpenRouter completion; the role repeated in every chunk as issue 15 observed",
        "anthropic/claude-sonnet-4.5",
        details="text+signature",
        role_every_chunk=True,
        comments=("OPENROUTER PROCESSING",),
        choice_extra={"native_finish_reason": "tool_use"},
        envelope_extra={"provider": "Anthropic", "system_fingerprint": None},
        usage_extra={"cost": 0.00462, "is_byok": False},
        sdk_helper_merges=True,
    ),
    Server(
        "openrouter-gpt",
        "OpenRouter docs ('Reasoning tokens': reasoning.summary and reasoning.encrypted details with id and "
        "format openai-responses-v1), with the role and the detail's id repeated in every chunk",
        "openai/gpt-5",
        details="summary+encrypted",
        role_every_chunk=True,
        comments=("OPENROUTER PROCESSING",),
        choice_extra={"native_finish_reason": "completed"},
        envelope_extra={"provider": "OpenAI", "system_fingerprint": None},
    ),
    Server(
        "deepseek",
        "DeepSeek API docs ('Reasoning Model (deepseek-reasoner)': reasoning_content deltas; keep-alive "
        "comments while the request waits; usage in the finishing chunk)",
        "deepseek-reasoner",
        reasoning_field="reasoning_content",
        usage_style="finish",
        comments=("keep-alive",),
        envelope_extra={"system_fingerprint": "fp_5417b77867_prod0820_fp8_kvcache"},
        usage_extra={
            "prompt_cache_hit_tokens": CACHED_TOKENS,
            "prompt_cache_miss_tokens": PROMPT_TOKENS - CACHED_TOKENS,
        },
    ),
    Server(
        "vllm",
        "vLLM docs ('Reasoning Outputs': reasoning_content deltas; 'Tool Calling': the first fragment names "
        "the function without arguments); a name and its first argument text as two entries of one chunk, "
        "as openai-python PR #3245 reports for vLLM serving Kimi K2.6, which the SDK's merge gets wrong",
        "Qwen/Qwen3-8B",
        reasoning_field="reasoning_content",
        tool_style="vllm",
        sdk_helper_merges=False,
    ),
    Server(
        "sglang",
        "SGLang docs ('Reasoning Parser': reasoning_content deltas; 'Tool Parser': index on every fragment, "
        "id and type on the first only; usage in a last chunk with empty choices)",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
        reasoning_field="reasoning_content",
    ),
    Server(
        "together",
        "Together AI docs (chat completions streaming: role and token_id in every delta, usage in the "
        "finishing chunk; reasoning models stream a reasoning field)",
        "deepseek-ai/DeepSeek-R1",
        role_every_chunk=True,
        usage_style="finish",
        delta_extra={"token_id": 1234},
    ),
    Server(
        "groq",
        "Groq API reference (reasoning_format=parsed: a reasoning field; tool calls whole in one chunk; "
        "usage under x_groq in the last chunk)",
        "openai/gpt-oss-120b",
        tool_style="whole",
        usage_style="x_groq",
        envelope_extra={"system_fingerprint": "fp_a09bde29de"},
    ),
    Server(
        "litellm",
        "LiteLLM docs ('Reasoning content': reasoning_content plus Anthropic thinking_blocks, the signature "
        "in the last block delta; proxy chunks repeat the role)",
        "claude-sonnet-4-5",
        reasoning_field="reasoning_content",
        thinking_blocks=True,
        role_every_chunk=True,
        usage_style="finish",
        sdk_helper_merges=False,  # its thinking_blocks entries carry no index
    ),
    Server(
        "no-tool-index",
        "tool-call fragments without index, later ones without id and type either: Gemini's OpenAI-compatible "
        "endpoint (openai-python issue #2806) and mistral.rs (PR #1507) send them; the SDK's merge raises",
        "gemini-2.5-flash",
        reasoning_field=None,
        tool_style="no-index",
        sdk_helper_merges=False,
    ),
]
