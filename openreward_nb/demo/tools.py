"""The demo environment's tools, listed in each provider's request format as the OpenReward SDK lists them.

``input_schema`` is what an OpenReward server derives from a Pydantic input model (titles
included); the provider formats drop the titles, as the SDK's ``list_tools(format=...)`` does.
"""

from __future__ import annotations

from typing import Any, Literal

from .types import ToolSpec

Provider = Literal["openai", "anthropic", "google", "openrouter"]
FORMATS: tuple[Provider, ...] = ("openai", "openrouter", "anthropic", "google")

TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="bash",
        description="Run a shell command in the challenge sandbox and return its output.",
        input_schema={
            "properties": {
                "command": {"description": "The command line to run.", "title": "Command", "type": "string"}
            },
            "required": ["command"],
            "title": "BashInput",
            "type": "object",
        },
    ),
    ToolSpec(
        name="submit_flag",
        description="Submit the flag. Ends the episode: reward 1.0 if it is correct, else 0.0.",
        input_schema={
            "properties": {"flag": {"description": "The flag, e.g. flag{...}.", "title": "Flag", "type": "string"}},
            "required": ["flag"],
            "title": "SubmitFlagInput",
            "type": "object",
        },
    ),
)


def _strip_titles(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_titles(v) for k, v in value.items() if k != "title"}
    return value


def _provider_tool(spec: ToolSpec, format: Provider) -> dict[str, Any]:
    meta = {"name": spec.name, "description": spec.description}
    schema = _strip_titles(spec.input_schema)
    if format == "openai":
        return {"type": "function", **meta, "parameters": schema}
    if format == "openrouter":
        # As the SDK builds it: the schema sits beside "function", not inside it.
        return {"type": "function", "function": meta, "parameters": schema}
    if format == "anthropic":
        return {"type": "custom", **meta, "input_schema": schema}
    return {**meta, "parameters": schema}


def list_tools(format: Provider | None = None) -> list[ToolSpec] | list[dict[str, Any]]:
    """The tools as ``ToolSpec`` objects, or as dicts in one provider's request format."""
    if format is None:
        return list(TOOL_SPECS)
    if format not in FORMATS:
        raise ValueError(f"Invalid format: {format!r}")
    return [_provider_tool(spec, format) for spec in TOOL_SPECS]
