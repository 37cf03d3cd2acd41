"""Offline demo: a CTF environment shaped like an OpenReward environment, and model providers that
answer the real SDK clients (openai, anthropic, google-genai) without network or API keys.

::

    from openreward_nb import OpenReward
    from openreward_nb.demo import environments, openai_client

    environment = environments.get(name="GeneralReasoning/CTF")
    tasks = environment.list_tasks(split="train")
    tools = environment.list_tools(format="openai")
    oai_client = openai_client()          # the real OpenAI when OPENAI_API_KEY is set
    with environment.session(task=tasks[0]) as session:
        prompt = session.get_prompt()
        response = oai_client.responses.create(model="demo-strong", tools=tools,
                                               input=[{"role": "user", "content": prompt[0].text}])

Offline, the model names ``demo-strong`` and ``demo-weak`` play with different skill (any
other name plays like ``demo-strong``). Provider SDKs are imported when a client is made.
"""

from __future__ import annotations

from .clients import (
    anthropic_client,
    async_anthropic_client,
    async_openai_client,
    async_openrouter_client,
    gemini_client,
    is_offline,
    openai_client,
    openrouter_client,
)
from .env import DemoEnvironment, DemoEnvironments, DemoSession, environments
from .episode import Action, Episode, Observation, Step
from .policy import DEFAULT_MODEL, MODELS, next_step
from .providers import OfflineProviders, mock_transport
from .types import Task, TextBlock, ToolCallError, ToolOutput, ToolSpec

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "Action",
    "DemoEnvironment",
    "DemoEnvironments",
    "DemoSession",
    "Episode",
    "Observation",
    "OfflineProviders",
    "Step",
    "Task",
    "TextBlock",
    "ToolCallError",
    "ToolOutput",
    "ToolSpec",
    "anthropic_client",
    "async_anthropic_client",
    "async_openai_client",
    "async_openrouter_client",
    "environments",
    "gemini_client",
    "is_offline",
    "mock_transport",
    "next_step",
    "openai_client",
    "openrouter_client",
]
