"""Training data: a rollout as chat messages, and runs as JSONL for fine-tuning."""

from __future__ import annotations

import json
import os
from typing import Any

from ..records import RolloutRecord
from ..references import find_rollout
from ..store.base import Store
from ..store.location import StoreSpec, open_store
from .chat import anthropic_messages, check_format, openai_messages
from .filters import Runs, rollout_where
from .pages import rollout_pages


def _chat(store: Store, rollout_id: str, format: str) -> dict[str, Any]:
    """One training record: ``{"messages": [...]}``, with ``"system"`` in the Anthropic format."""
    events = RolloutRecord.from_row(find_rollout(store, rollout_id), store).events()
    if format == "openai":
        return {"messages": openai_messages(events)}
    system, messages = anthropic_messages(events)
    return {"system": system, "messages": messages} if system else {"messages": messages}


def to_chat_messages(rollout_id: str, format: str = "openai", *, store: StoreSpec = None) -> list[dict[str, Any]]:
    """The conversation of a rollout as chat messages, rebuilt from its events.

    ``rollout_id``: an id, a unique id prefix or ``RUN/ROLLOUT_NAME``. ``format="openai"``: Chat Completions messages (system, user, assistant with
    ``tool_calls``, tool); reasoning is left out. ``format="anthropic"``: Messages API
    messages (user and assistant content blocks: text, image, thinking, tool_use,
    tool_result); that API takes system prompts apart, so they are not in this list
    (:func:`export_jsonl` writes them as the line's ``system``).
    """
    messages: list[dict[str, Any]] = _chat(open_store(store, read_only=True), str(rollout_id), check_format(format))[
        "messages"
    ]
    return messages


def export_jsonl(
    runs: Runs,
    path: str | os.PathLike[str],
    *,
    min_reward: float | None = None,
    format: str = "openai",
    reward: str = "total_reward",
    store: StoreSpec = None,
    **filters: Any,
) -> int:
    """Write one chat per line for fine-tuning, for each rollout of ``runs`` matching the filters.

    ``min_reward`` keeps rollouts whose ``reward`` (``total_reward``, ``final_reward``
    or ``max_reward``) is at least that; other filters as in :func:`rollouts_df`. Lines
    are ``{"messages": [...]}`` (plus ``"system"`` in the Anthropic format); rollouts
    without messages are skipped. Returns the number of lines written.
    """
    check_format(format)
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, {**filters, "min_reward": min_reward}, reward)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for page in rollout_pages(source, "r.id", where):
            for rollout_id, _seq in page:
                record = _chat(source, rollout_id, format)
                if record["messages"]:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
    return written
