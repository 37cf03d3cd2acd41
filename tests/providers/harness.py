"""The offline harness: the real provider clients answering from recorded bodies (``httpx2.MockTransport``),
the recorded fixtures, and reading back what a rollout stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from openreward_nb import EventRecord, providers

from ..helpers import FIXTURES

Body = bytes | dict

#: the rollout method of each provider the OpenReward SDK names one for
LOG_METHODS = [p.log_method for p in providers.registered() if p.log_method is not None]


@dataclass
class Recorded:
    """One recorded exchange from ``tests/fixtures/recorded`` (copied from the workplace's shared fixtures; sources in its SOURCES.md): the request sent and the body answered."""

    request: dict
    body: bytes
    content_type: str

    @property
    def response(self) -> dict:
        return json.loads(self.body)


def recorded(provider: str, case: str) -> Recorded:
    """The fixture ``<provider>/<case>`` (a JSON response or an SSE stream)."""
    folder: Path = FIXTURES / provider / case
    request = json.loads((folder / "request.json").read_text())
    if (folder / "response.sse").exists():
        return Recorded(request, (folder / "response.sse").read_bytes(), "text/event-stream")
    return Recorded(request, (folder / "response.json").read_bytes(), "application/json")


def _http(body: Body | list[Body], content_type: str) -> httpx2.Client:
    """An httpx2 client answering each request with ``body`` (or with the next of a list of bodies)."""
    bodies = [
        json.dumps(b).encode() if isinstance(b, dict) else b for b in (body if isinstance(body, list) else [body])
    ]
    calls = iter(range(1 << 30))

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=bodies[next(calls) % len(bodies)], headers={"content-type": content_type})

    return httpx2.Client(transport=httpx2.MockTransport(answer))


def openai_client(body: Body | list[Body], content_type: str = "application/json") -> Any:
    """``openai.OpenAI`` answering with ``body`` (a list: one body per call, in turn)."""
    import openai

    return openai.OpenAI(api_key="test", http_client=_http(body, content_type))


def anthropic_client(body: Body | list[Body], content_type: str = "application/json") -> Any:
    """``anthropic.Anthropic`` answering with ``body`` (a list: one body per call, in turn)."""
    import anthropic

    return anthropic.Anthropic(api_key="test", http_client=_http(body, content_type))


def gemini_client(body: Body | list[Body], content_type: str = "application/json") -> Any:
    """``google.genai.Client`` answering with ``body`` (a list: one body per call, in turn)."""
    from google import genai
    from google.genai import types

    return genai.Client(api_key="test", http_options=types.HttpOptions(httpx_client=_http(body, content_type)))


def responses_create(body: Body) -> Any:
    """A ``Response`` as ``client.responses.create`` returns it."""
    return openai_client(body).responses.create(model="gpt-5", input="hi")


def chat_create(body: Body) -> Any:
    """A ``ChatCompletion`` as ``client.chat.completions.create`` returns it."""
    return openai_client(body).chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "hi"}])


def anthropic_create(body: Body) -> Any:
    """A ``Message`` as ``client.messages.create`` returns it."""
    return anthropic_client(body).messages.create(
        model="claude-test", max_tokens=1024, messages=[{"role": "user", "content": "hi"}]
    )


def gemini_generate(body: Body) -> Any:
    """A ``GenerateContentResponse`` as ``client.models.generate_content`` returns it."""
    return gemini_client(body).models.generate_content(model="gemini-2.5-pro", contents="hi")


def stored(rollout: Any) -> list[EventRecord]:
    """Every event the store holds for ``rollout`` (flushes first)."""
    return list(rollout.record().events())


def sse_events(body: bytes) -> list[dict]:
    """The JSON ``data:`` payloads of a recorded server-sent event stream."""
    out = []
    for line in body.decode().splitlines():
        line = line.strip()
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            out.append(json.loads(line[5:]))
    return out
