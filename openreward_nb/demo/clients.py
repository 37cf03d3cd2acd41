"""Provider SDK clients for the demo: the real provider when its API key is set, else offline.

Offline clients are the real SDK clients (``openai``, ``anthropic``, ``google-genai``) whose
HTTP goes to :func:`~openreward_nb.demo.providers.mock_transport`: no key and no network
needed, and the SDKs parse, stream and raise exactly as they do against the real APIs.
``seed`` varies the demo models' play; ``transport`` replaces where the offline client's
HTTP goes (an ``httpx2.MockTransport``). Other keyword arguments go to the SDK client's
constructor.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..extras import needs_extra
from .providers import mock_transport
from .providers.errors import Service

if TYPE_CHECKING:
    import anthropic
    import httpx2
    import openai
    from google import genai

#: every client below needs the provider SDKs (and httpx2 offline): one message naming the extra when missing
_NEEDS_SDKS = needs_extra("providers", "The demo's provider clients")
SDKClient = TypeVar("SDKClient")

OFFLINE_API_KEY = "demo-offline-key"
OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
ANTHROPIC_BASE_URL = "https://api.anthropic.com"
GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/"
API_KEY_VARIABLES: dict[Service, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}


def is_offline(provider: Service, offline: bool = False) -> bool:
    """Whether the helpers give the offline client for ``provider``: ``offline=True``, or no API key set."""
    return offline or not any(os.environ.get(name) for name in API_KEY_VARIABLES[provider])


def _live(provider: Service, offline: bool, transport: httpx2.MockTransport | None) -> bool:
    live = not is_offline(provider, offline)
    if live and transport is not None:
        raise ValueError(f"transport= replaces the offline {provider} client's HTTP; pass offline=True as well")
    return live


def _sdk_client(
    sdk_class: Callable[..., SDKClient],
    provider: Service,
    base_url: str,
    offline: bool,
    seed: int,
    transport: httpx2.MockTransport | None,
    kwargs: dict[str, Any],
) -> SDKClient:
    """An OpenAI or Anthropic SDK client (they share a constructor): offline on the mock transport, or live."""
    if _live(provider, offline, transport):
        if provider == "openrouter":
            kwargs = {"base_url": base_url, "api_key": os.environ["OPENROUTER_API_KEY"], **kwargs}
        return sdk_class(**kwargs)
    import httpx2

    http_class: Any = httpx2.AsyncClient if getattr(sdk_class, "__name__", "").startswith("Async") else httpx2.Client
    http_client = http_class(transport=transport or mock_transport(seed))
    return sdk_class(api_key=OFFLINE_API_KEY, base_url=base_url, http_client=http_client, **kwargs)


@_NEEDS_SDKS
def openai_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> openai.OpenAI:
    """``openai.OpenAI``: Responses and Chat Completions, offline unless ``OPENAI_API_KEY`` is set."""
    import openai

    return _sdk_client(openai.OpenAI, "openai", OPENAI_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def async_openai_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> openai.AsyncOpenAI:
    """``openai.AsyncOpenAI``, offline unless ``OPENAI_API_KEY`` is set."""
    import openai

    return _sdk_client(openai.AsyncOpenAI, "openai", OPENAI_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def openrouter_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> openai.OpenAI:
    """``openai.OpenAI`` on OpenRouter's Chat Completions, offline unless ``OPENROUTER_API_KEY`` is set."""
    import openai

    return _sdk_client(openai.OpenAI, "openrouter", OPENROUTER_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def async_openrouter_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> openai.AsyncOpenAI:
    """``openai.AsyncOpenAI`` on OpenRouter, offline unless ``OPENROUTER_API_KEY`` is set."""
    import openai

    return _sdk_client(openai.AsyncOpenAI, "openrouter", OPENROUTER_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def anthropic_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> anthropic.Anthropic:
    """``anthropic.Anthropic``, offline unless ``ANTHROPIC_API_KEY`` is set."""
    import anthropic

    return _sdk_client(anthropic.Anthropic, "anthropic", ANTHROPIC_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def async_anthropic_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> anthropic.AsyncAnthropic:
    """``anthropic.AsyncAnthropic``, offline unless ``ANTHROPIC_API_KEY`` is set."""
    import anthropic

    return _sdk_client(anthropic.AsyncAnthropic, "anthropic", ANTHROPIC_BASE_URL, offline, seed, transport, kwargs)


@_NEEDS_SDKS
def gemini_client(
    *, offline: bool = False, seed: int = 0, transport: httpx2.MockTransport | None = None, **kwargs: Any
) -> genai.Client:
    """``google.genai.Client`` (``.aio`` included), offline unless ``GEMINI_API_KEY`` / ``GOOGLE_API_KEY`` is set."""
    from google import genai
    from google.genai import types

    if _live("gemini", offline, transport):
        return genai.Client(**kwargs)
    import httpx2

    transport = transport or mock_transport(seed)
    http_options = types.HttpOptions(
        base_url=GEMINI_BASE_URL,
        httpx_client=httpx2.Client(transport=transport),
        httpx_async_client=httpx2.AsyncClient(transport=transport),
    )
    return genai.Client(api_key=OFFLINE_API_KEY, vertexai=False, http_options=http_options, **kwargs)
