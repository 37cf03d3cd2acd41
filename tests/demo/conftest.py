"""Fixtures for the offline demo tests: the environment, a task, and a wire recorder for raw payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openreward_nb.demo import DemoEnvironment, OfflineProviders, Task, environments

#: "Double wrapped" (base64, then rot13): demo-strong with seed 0 reads two files in one turn.
TASK_INDEX = 6


@pytest.fixture(scope="session")
def environment() -> DemoEnvironment:
    return environments.get(name="GeneralReasoning/CTF")


@pytest.fixture
def task(environment: DemoEnvironment) -> Task:
    return environment.list_tasks("train")[TASK_INDEX]


class Wire:
    """A MockTransport handler around :class:`OfflineProviders` that keeps every request and response."""

    def __init__(self, **options: Any) -> None:
        self.providers = OfflineProviders(**options)
        self.exchanges: list[tuple[Any, Any]] = []

    def __call__(self, request: Any) -> Any:
        response = self.providers(request)
        self.exchanges.append((request, response))
        return response

    def client(self) -> Any:
        import httpx2

        return httpx2.Client(transport=httpx2.MockTransport(self))

    def requests(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request, _ in self.exchanges]

    def payloads(self) -> list[Any]:
        """Each response's JSON body, or the list of its SSE ``data`` objects."""
        return [
            (
                sse_data(response.content)
                if response.headers["content-type"].startswith("text/event-stream")
                else response.json()
            )
            for _, response in self.exchanges
        ]


def sse_data(body: bytes) -> list[dict[str, Any]]:
    """The JSON ``data:`` payloads of an event stream (``[DONE]`` left out)."""
    lines = body.decode().replace("\r\n", "\n").split("\n")
    return [json.loads(line[6:]) for line in lines if line.startswith("data: ") and line != "data: [DONE]"]


@pytest.fixture
def wire() -> Wire:
    return Wire()
