"""The client helpers: offline without a key (or when asked), the real provider when a key is set.

No test here sends a request to a real provider: live clients are only constructed.
"""

from __future__ import annotations

import subprocess

import pytest

from openreward_nb import demo
from openreward_nb.demo.clients import API_KEY_VARIABLES, OFFLINE_API_KEY

from ..helpers import PYTHON, subprocess_env

SYNC = {
    "openai": demo.openai_client,
    "openrouter": demo.openrouter_client,
    "anthropic": demo.anthropic_client,
}
ASYNC = {
    "openai": demo.async_openai_client,
    "openrouter": demo.async_openrouter_client,
    "anthropic": demo.async_anthropic_client,
}
BASE_URLS = {
    "openai": "https://api.openai.com/v1/",
    "openrouter": "https://openrouter.ai/api/v1/",
    "anthropic": "https://api.anthropic.com",
}


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for names in API_KEY_VARIABLES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for provider, names in API_KEY_VARIABLES.items():
        monkeypatch.setenv(names[0], f"live-{provider}")


def _mocked(client: object) -> bool:
    import httpx2

    return isinstance(client._client._transport, httpx2.MockTransport)  # type: ignore[attr-defined]


@pytest.mark.parametrize("provider", SYNC)
def test_offline_without_a_key(no_keys: None, provider: str) -> None:
    assert demo.is_offline(provider)  # type: ignore[arg-type]
    for factory in (SYNC[provider], ASYNC[provider]):
        client = factory()
        assert _mocked(client) and client.api_key == OFFLINE_API_KEY
        assert str(client.base_url).rstrip("/") == BASE_URLS[provider].rstrip("/")


@pytest.mark.parametrize("provider", SYNC)
def test_live_with_a_key_unless_offline(keys: None, provider: str) -> None:
    assert not demo.is_offline(provider) and demo.is_offline(provider, offline=True)  # type: ignore[arg-type]
    for factory in (SYNC[provider], ASYNC[provider]):
        live = factory(max_retries=1)
        assert not _mocked(live) and live.api_key == f"live-{provider}" and live.max_retries == 1
        assert str(live.base_url).rstrip("/") == BASE_URLS[provider].rstrip("/")
        assert _mocked(factory(offline=True))
        with pytest.raises(ValueError, match="offline=True"):
            factory(transport=demo.mock_transport())


def test_gemini_client(monkeypatch: pytest.MonkeyPatch, no_keys: None) -> None:
    offline = demo.gemini_client()
    assert offline._api_client.api_key == OFFLINE_API_KEY and offline._api_client._http_options.httpx_client is not None
    assert not offline._api_client.vertexai
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.setenv(name, "live-gemini")
        assert not demo.is_offline("gemini")
        live = demo.gemini_client()
        assert live._api_client.api_key == "live-gemini" and live._api_client._http_options.httpx_client is None
        monkeypatch.delenv(name)


def test_importing_the_demo_loads_no_provider_sdk() -> None:
    code = (
        "import sys, openreward_nb; assert 'openreward_nb.demo' not in sys.modules; "
        "import openreward_nb.demo; "
        "print(sorted(m for m in ('openai', 'anthropic', 'google.genai', 'httpx2', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([PYTHON, "-c", code], env=subprocess_env(), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
