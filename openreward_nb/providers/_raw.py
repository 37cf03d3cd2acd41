"""The raw provider payload of an event: referenced on the caller's thread, built and encoded on the writer's.

Adapters set ``event.raw`` to ``Raw(provider, item, role, blobs, keep, drop)`` (trailing
arguments optional), then set ``message`` / ``response`` (and what they drop) when there are such:
the caller's thread only pays for a struct of references (built in C, and not tracked by the
garbage collector, so a queue of thousands costs no collection time), and the store's
writer calls :meth:`Raw.raw_json`, which builds the payload and encodes it (leaving out the
strings its event's row holds, :mod:`openreward_nb.store.raw_codec`). The payload is::

    {"provider": "anthropic", "role": "user", "item": {...}, "message": {...}, "response": {...}}

``item`` is the provider's own unit the event came from (Responses item, Anthropic block,
Gemini part, chat message part); ``role`` is there when the item does not carry it;
``message`` holds the rest of a chat message that produced no text event; ``response`` is
the envelope of a whole response (its id, usage, status... without the items) on the
response's last event. Inline base64 of attachments is replaced by
``{"$blob": sha256, "mime": ..., "size": ..., "data_url": bool}``: the bytes live once in
the store's blob table.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import msgspec

from ..events import Attachment
from ..store import raw_codec

Path = tuple[Any, ...]
#: Where an item holds attachment bytes: (path in the item, attachment, whether it is a data URL).
Blobs = list[tuple[Path, Attachment, bool]]


def note_blob(blobs: Blobs | None, path: Path, attachment: Attachment, data_url: bool) -> None:
    """Note that the item holds ``attachment``'s bytes (base64, or a data URL) at ``path`` (when ``blobs`` is kept)."""
    if blobs is not None and attachment.data is not None:
        blobs.append((path, attachment, data_url))


def plain(value: Any) -> Any:
    """A fresh JSON-ready copy: dicts and lists rebuilt, SDK objects dumped (unset fields left out)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return plain(dump(mode="json", exclude_unset=True, warnings=False))
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, (str, int)):
        return enum_value
    from .._jsonable import to_jsonable

    return to_jsonable(value, "raw")


def snapshot(item: Any) -> Any:
    """A shallow copy of a plain dict (so re-assigning its keys later does not change the record)."""
    return item.copy() if type(item) is dict else item


def _walk(doc: Any, path: Path) -> tuple[Any, Any]:
    """(container, key) of the leaf at ``path``; (None, None) when the path is not there."""
    node = doc
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None, None
    last = path[-1]
    if isinstance(node, dict) and last in node:
        return node, last
    if isinstance(node, list) and isinstance(last, int) and -len(node) <= last < len(node):
        return node, last
    return None, None


def _select(doc: Any, keep: Sequence[str] | None, drop: Sequence[str] | None) -> Any:
    if not isinstance(doc, dict):
        return doc
    if keep is not None:
        return {k: v for k, v in doc.items() if k in keep}
    if drop is not None:
        return {k: v for k, v in doc.items() if k not in drop}
    return doc


_REMEMBERED = raw_codec.Remembered()


class Raw(msgspec.Struct, gc=False):
    """One event's provider payload, as references to what the provider sent; built and encoded to JSON on
    the store's writer thread. Not tracked by the garbage collector: it holds no reference back to itself."""

    provider: str
    item: Any
    role: str | None = None
    blobs: Blobs | None = None
    keep: Sequence[str] | None = None
    drop: Sequence[str] | None = None
    message: Any = None
    message_drop: Sequence[str] = ()
    response: Any = None
    response_drop: Path = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready payload (SDK objects dumped, attachment bytes replaced by references)."""
        out: dict[str, Any] = plain(self._tree())
        return out

    def raw_json(self, columns: Sequence[str | None] = ()) -> str:
        """The payload as its event's row stores it (called by the store's writer): JSON text without the strings
        ``columns`` hold (the row's :data:`~openreward_nb.store.raw_codec.REF_COLUMNS`).

        A plain dict item (and message) is checked against what was written for one like it before
        (:class:`~openreward_nb.store.raw_codec.Remembered`), keyed by what fixes the rest of the payload.
        """
        item = self.item
        message = self.message
        if self.response is not None or self.blobs or type(item) is not dict:
            return raw_codec.encode(self._tree(), columns, plain)
        keep, drop = self.keep, self.drop
        if message is None:
            key: tuple[Any, ...] = (self.provider, self.role, keep, drop, tuple(item))
            parts: tuple[dict[str, Any], ...] = (item,)
        elif type(message) is dict:
            key = (self.provider, self.role, keep, drop, tuple(item), self.message_drop, tuple(message))
            parts = (item, message)
        else:
            return raw_codec.encode(self._tree(), columns, plain)
        text = _REMEMBERED.text(key, parts, columns)
        if text is not None:
            return text
        tree = self._tree()
        left_out = [("item", item, frozenset(item).difference(tree["item"]))]
        if message is not None:
            left_out.append(("message", message, frozenset(message).difference(tree["message"])))
        return _REMEMBERED.encode(key, tree, tuple(left_out), columns, plain)

    def _tree(self) -> dict[str, Any]:
        """The payload with the parts it shares with the logged objects as they are (copied when encoded)."""
        out: dict[str, Any] = {"provider": self.provider}
        if self.role is not None:
            out["role"] = self.role
        item = self.item
        if item is not None:
            if self.blobs or type(item) is not dict:
                item = plain(item)  # a fresh copy, to put references in
            if self.keep is not None or self.drop is not None:
                item = _select(item, self.keep, self.drop)
            for path, att, data_url in self.blobs or ():
                container, key = _walk(item, path)
                if container is not None:
                    ref = {"$blob": att.digest(), "mime": att.mime, "size": len(att.data or b""), "data_url": data_url}
                    container[key] = ref
            out["item"] = item
        if self.message is not None:
            message = self.message
            out["message"] = _select(message if type(message) is dict else plain(message), None, self.message_drop)
        if self.response is not None:
            envelope = plain(self.response)
            if self.response_drop:
                container, key = _walk(envelope, self.response_drop)
                if container is not None:
                    del container[key]
            out["response"] = envelope
        return out

    def __repr__(self) -> str:
        return f"<Raw {self.provider} {type(self.item).__name__}>"
