"""The OpenReward wire format, outgoing: the events the SDK posts to ``/v1/rollouts``, built from stored rows.

Field names, presence rules and key order follow ``openreward`` 0.1.167
(``models.LogMessageEvent`` / ``RolloutStartedEvent`` / ``RolloutUpdateEvent`` encoded by
``background._encode_event``: ``None`` dropped, recursively inside dicts). Ids are
deterministic, so an event sent again after a crash carries the id it had the first time.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii
from typing import Any

from ..extras import needs_extra

with needs_extra("sync", "Uploading to OpenReward"):
    import orjson

#: uuid5 namespace of message event ids: ``uuid5(NAMESPACE, f"{rollout_id}/{idx}")``
EVENT_ID_NAMESPACE = uuid.UUID("6f1d2a8e-52c4-4b7e-9d0a-3c5e7b1f0a42")
_NAMESPACE_BYTES = EVENT_ID_NAMESPACE.bytes
#: the RFC 4122 variant bits over a hex digit of the hash: 10xx
_VARIANT_DIGIT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}

MESSAGE_COLUMNS: tuple[str, ...] = (
    "idx",
    "ts",
    "type",
    "content",
    "content_reference",
    "summary",
    "name",
    "call_id",
    "reward",
    "is_finished",
    "metadata",
)


def message_event_id(rollout_id: str, idx: int) -> str:
    """The event id of message ``idx`` of a rollout, the same every time it is sent.

    Equal to ``str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{rollout_id}/{idx}"))``, written straight from
    the hash's hex digits (version 5, RFC 4122 variant): this runs for every event uploaded.
    """
    h = hashlib.sha1(_NAMESPACE_BYTES + f"{rollout_id}/{idx}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}"


def strip_none(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without None values, recursively inside dicts (lists are kept as they are), as the SDK sends."""
    return {k: strip_none(v) if isinstance(v, dict) else v for k, v in data.items() if v is not None}


def millis(seconds: float) -> int:
    """Epoch seconds as the integer milliseconds the wire carries."""
    return int(seconds * 1000)


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def start_event(rollout: dict[str, Any], environment_id: str | None, variant_id: str | None) -> dict[str, Any]:
    """The ``rollout`` event that opens a stored rollout (``rollout`` is its row from the store)."""
    return strip_none(
        {
            "eventId": rollout["id"],
            "timestamp": millis(rollout["created_at"]),
            "runName": rollout["run_name"],
            "environment": rollout["environment"],
            "environment_id": environment_id,
            "rolloutName": rollout["rollout_name"],
            "variant": rollout["variant"],
            "variant_id": variant_id,
            "split": rollout["split"],
            "metadata": _json(rollout["metadata"]),
            "task_spec": _json(rollout["task_spec"]),
            "run_info": _json(rollout["run_info"]),
            "eventType": "rollout",
        }
    )


def update_event(rollout_id: str, rollout_info_json: str) -> dict[str, Any]:
    """The ``rollout_update`` event carrying a rollout's (merged) ``rollout_info``."""
    return strip_none(
        {
            "eventId": rollout_id,
            "timestamp": millis(time.time()),
            "rollout_info": json.loads(rollout_info_json),
            "eventType": "rollout_update",
        }
    )


def _quote(text: str) -> str:
    """``text`` as a JSON string literal with non-ASCII escaped, as :func:`encode` writes it."""
    return _quoted(text).decode("ascii")


def _quoted(text: str) -> bytes:
    """:func:`_quote` as bytes. orjson writes the same literal ten times faster for ASCII text without
    DEL (which only the standard library escapes); other text goes to the standard library."""
    if text.isascii() and "\x7f" not in text:
        return orjson.dumps(text)
    return encode_basestring_ascii(text).encode("ascii")


def encode(event: dict[str, Any]) -> bytes:
    """One event as compact JSON; non-ASCII is escaped, as the SDK's HTTP client (aiohttp) sends it."""
    return json.dumps(event, separators=(",", ":")).encode("ascii")


_OPTIONAL_KEYS = (b',"content":', b',"contentReference":', b',"summary":', b',"name":', b',"callId":')
_QUOTED_TYPES: dict[str, bytes] = {}


class MessageEncoder:
    """The ``message`` events of one rollout, encoded from stored rows (``row`` in :data:`MESSAGE_COLUMNS` order).

    The JSON text :func:`encode` would give for the SDK's ``LogMessageEvent`` (same keys, same
    order, None left out, ``metadata`` always present), written directly as bytes: this runs
    once per event uploaded, so what is the same for every event of the rollout (its quoted
    id, its environment id, the start of the event id hash) is worked out once.
    """

    def __init__(self, rollout_id: str, environment_id: str | None) -> None:
        self._hash = hashlib.sha1(_NAMESPACE_BYTES + f"{rollout_id}/".encode())
        self._rollout = b',"rolloutEventId":' + _quoted(rollout_id) + b',"type":'
        self._environment = None if environment_id is None else b',"environment_id":' + _quoted(environment_id)

    def __call__(self, row: tuple[Any, ...]) -> bytes:
        idx, ts, etype, content, reference, summary, name, call_id, reward, finished, metadata = row
        digest = self._hash.copy()
        digest.update(str(idx).encode())
        h = digest.hexdigest()
        quoted_type = _QUOTED_TYPES.get(etype)
        if quoted_type is None:
            quoted_type = _QUOTED_TYPES.setdefault(etype, _quoted(etype))
        parts = [
            f'{{"eventId":"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}",'
            f'"timestamp":{millis(ts)},"index":{idx}'.encode(),
            self._rollout,
            quoted_type,
        ]
        for key, value in zip(_OPTIONAL_KEYS, (content, reference, summary, name, call_id), strict=True):
            if value is not None:
                parts += (key, _quoted(value))
        if self._environment is not None:
            parts.append(self._environment)
        if reward is not None:
            parts += (b',"reward":', float.__repr__(float(reward)).encode())
        parts += (
            b',"isFinished":true,"metadata":' if finished else b',"isFinished":false,"metadata":',
            _metadata(metadata),
            b',"eventType":"message"}',
        )
        return b"".join(parts)


def _metadata(text: str | None) -> bytes:
    if not text:
        return b"{}"
    return json.dumps(strip_none(json.loads(text)), separators=(",", ":")).encode("ascii")


def encode_message(rollout_id: str, environment_id: str | None, row: tuple[Any, ...]) -> bytes:
    """The ``message`` event of one stored event, encoded (see :class:`MessageEncoder`, which uploads use)."""
    return MessageEncoder(rollout_id, environment_id)(row)


#: what a request body holds around its encoded events
_BODY_AROUND = (b'{"events":[', b"]}")
#: where a request body's first event starts
BODY_START = len(_BODY_AROUND[0])


def payload(parts: Iterable[bytes | memoryview]) -> bytes:
    """The request body ``{"events":[...]}`` from already encoded events, separated by commas."""
    return b",".join(parts).join(_BODY_AROUND)
