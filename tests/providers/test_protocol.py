"""A provider is one folder: everything else (log_*, capture, the offline demo) finds it through the registry."""

from __future__ import annotations

import importlib.machinery
import inspect
import json
import sys
import types
from pathlib import Path
from typing import Any

import httpx2
import pytest

from openreward_nb import Rollout, UnknownProviderError, providers
from openreward_nb.capture import sdks, uninstall
from openreward_nb.demo import OfflineProviders
from openreward_nb.demo import providers as demo_providers
from openreward_nb.events import Event
from openreward_nb.providers import Endpoint, MethodRoute, Provider

from .harness import stored

PACKAGE = Path(providers.__file__).parent


def test_each_folder_is_a_provider() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and not p.name.startswith("_"))
    assert list(providers.names()) == folders
    for provider in providers.registered():
        assert provider.name in folders and provider.endpoints
        assert all(endpoint.routes for endpoint in provider.endpoints)
        assert provider.log_method is None or callable(getattr(Rollout, provider.log_method))


def test_log_methods_are_log_provider_with_the_sdk_signature(client) -> None:
    """Each SDK-named method records what ``log_provider`` with its provider's name records."""
    message = {"role": "user", "content": "hi", "parts": [{"text": "hi"}]}  # read as user input by every adapter
    for provider in providers.registered():
        assert provider.log_method is not None
        named, generic = client.rollout.create("protocol"), client.rollout.create("protocol")
        getattr(named, provider.log_method)(message, reward=1.0)
        generic.log_provider(provider.name, message, reward=1.0)
        as_rows = [[(e.type, e.content, e.reward, e.raw()) for e in stored(r)] for r in (named, generic)]
        assert as_rows[0] == as_rows[1] and as_rows[0][-1][2] == 1.0, provider.name
        params = list(inspect.signature(getattr(Rollout, provider.log_method)).parameters)
        assert params == ["self", "message", "reward", "is_finished", "metadata", "rollout_info"]


def test_an_unknown_provider_is_named_with_the_known_ones(client) -> None:
    with pytest.raises(UnknownProviderError, match="no provider named 'mistral'; the providers are anthropic, gemini"):
        client.rollout.create("protocol").log_provider("mistral", {"role": "user", "content": "hi"})


# --- a provider added as one folder (here built in memory) ------------------------------------


class EchoSDK:
    """A provider SDK: ``EchoSDK().complete(prompt=...)`` answers the prompt back."""

    def complete(self, *, prompt: str) -> dict[str, str]:
        return {"answer": prompt.upper()}


def _echo_events(x: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    return [Event("assistant_message", x["answer"], kind="echo")]


ECHO_ENDPOINT = Endpoint(
    "echo",
    "complete",
    (MethodRoute("echo_sdk", "EchoSDK", "complete"),),
    lambda request, keep_raw: [Event("user_message", request["prompt"])],
    lambda response, keep_raw: _echo_events(response),
    lambda request: {"model": "echo-1"},
    lambda request: None,
)


def _echo_demo_routes() -> tuple[demo_providers.Route, ...]:
    import re

    from openreward_nb.demo.episode import Episode
    from openreward_nb.demo.providers.errors import error_format

    def parse(body: dict[str, Any]) -> Episode:
        return Episode(body["prompt"], (), [], 0)

    def respond(turn: Any, body: dict[str, Any]) -> dict[str, Any]:
        return {"answer": body["prompt"].upper()}

    return (
        demo_providers.Route(
            "echo.example", re.compile("/v1/complete"), error_format("openai"), parse, respond, lambda t, b: b""
        ),
    )


def _module(name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch):
    """The ``echo`` provider, as if ``providers/echo/`` and ``demo/providers/echo.py`` had been added."""
    known = providers.names()
    monkeypatch.setattr(providers, "names", lambda: (*known, "echo"))
    provider = Provider("echo", _echo_events, (ECHO_ENDPOINT,))
    monkeypatch.setitem(
        sys.modules, "openreward_nb.providers.echo", _module("openreward_nb.providers.echo", PROVIDER=provider)
    )
    monkeypatch.setitem(
        sys.modules,
        "openreward_nb.demo.providers.echo",
        _module("openreward_nb.demo.providers.echo", ROUTES=_echo_demo_routes()),
    )
    monkeypatch.setitem(sys.modules, "echo_sdk", _module("echo_sdk", EchoSDK=EchoSDK))
    for cached in (sdks.all_targets, demo_providers.routes):
        cached.cache_clear()
    yield provider
    uninstall()
    for cached in (sdks.all_targets, demo_providers.routes):
        cached.cache_clear()


def test_a_new_provider_folder_is_logged_captured_and_served(client, echo: Provider) -> None:
    rollout = client.rollout.create("echo")
    rollout.log_provider("echo", {"answer": "LOGGED"})
    with client.rollout.capture(rollout):
        assert EchoSDK().complete(prompt="captured") == {"answer": "CAPTURED"}
    events = stored(rollout)
    assert [(e.type, e.content, e.kind) for e in events] == [
        ("assistant_message", "LOGGED", "echo"),
        ("user_message", "captured", None),
        ("assistant_message", "CAPTURED", "echo"),
    ]
    assert events[2].metadata == {"provider": "echo", "endpoint": "complete", "model": "echo-1"}

    served = OfflineProviders()(httpx2.Request("POST", "https://echo.example/v1/complete", json={"prompt": "offline"}))
    assert json.loads(served.content) == {"answer": "OFFLINE"}
