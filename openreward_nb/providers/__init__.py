"""Provider adapters: each provider's SDK objects and request dicts -> lists of :class:`~openreward_nb.events.Event`.

One module per provider, each with:

- ``to_events(x, keep_raw=True, keep_empty=False)``: what users hand to ``rollout.log_*``
  (a whole response, one message or item, or a list of them);
- ``request_events(...)``: a request's input as sent (with its system prompt / instructions);
- ``response_events(response, keep_raw=True)``: a whole response, with model, usage (on
  its last event) and stop reason;
- one message: ``message_events`` / ``item_events`` / ``content_events``.

They only read the objects they get (by attribute or key), so no provider SDK is
imported. Unknown item types are recorded with their raw payload and a
:class:`UnknownItemWarning` (once per type and process); input that is not a message at
all raises TypeError or ValueError.
"""

from __future__ import annotations

from . import anthropic, gemini, openai_chat, openai_responses
from ._common import UnknownItemWarning
from ._raw import Raw

__all__ = ["Raw", "UnknownItemWarning", "anthropic", "gemini", "openai_chat", "openai_responses"]
