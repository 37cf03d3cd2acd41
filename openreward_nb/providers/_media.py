"""Attachments from what providers send: data URLs, base64 text, raw bytes, URLs and file ids."""

from __future__ import annotations

import binascii
from typing import Any
from urllib.parse import unquote_to_bytes

from ..events import Attachment
from ._common import Fields
from ._raw import Blobs, Path, note_blob

_URLSAFE = str.maketrans("-_", "+/")


def decode_base64(data: Any) -> bytes:
    """Bytes from base64 text (standard or URL-safe alphabet, padding optional); bytes pass through."""
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if not isinstance(data, str):
        raise TypeError(f"expected base64 text or bytes, got {type(data).__name__}")
    if "-" in data or "_" in data:
        data = data.translate(_URLSAFE)
    missing = -len(data.rstrip()) % 4
    return binascii.a2b_base64(data + "=" * missing)


def from_data_url(url: str, name: str | None = None) -> Attachment | None:
    """The attachment a ``data:`` URL holds, or None when ``url`` is not one."""
    if not url.startswith("data:"):
        return None
    head, _, payload = url.partition(",")
    params = head[5:].split(";")
    mime = params[0] or "text/plain"
    if "base64" in params[1:]:
        return Attachment(mime, decode_base64(payload), name=name)
    return Attachment(mime, unquote_to_bytes(payload), name=name)


def from_url(url: str, mime: str | None = None, name: str | None = None) -> Attachment:
    """A data URL decoded to bytes, any other URL kept as a link."""
    return from_data_url(url, name) or Attachment(mime, url=url, name=name)


def from_base64(data: Any, mime: str | None, name: str | None = None) -> Attachment:
    """Inline base64 (or bytes) with its mime type."""
    return Attachment(mime, decode_base64(data), name=name)


def from_file_id(provider: str, file_id: str, mime: str | None = None, name: str | None = None) -> Attachment:
    """A file stored at the provider, referenced as ``<provider>-file:<id>``."""
    return Attachment(mime, url=f"{provider}-file:{file_id}", name=name)


def guess_mime(filename: str | None) -> str | None:
    """The mime type a file name suggests (None when unknown)."""
    if not filename:
        return None
    import mimetypes

    return mimetypes.guess_type(filename)[0]


def url_part(url: str, blobs: Blobs | None, path: Path) -> Attachment:
    """An attachment from a URL field at ``path`` of the raw item (a data URL is decoded and noted as a blob)."""
    att = from_url(url)
    note_blob(blobs, path, att, True)
    return att


def file_part(f: Fields, blobs: Blobs | None, path: Path, provider: str = "openai") -> Attachment | None:
    """An OpenAI file part: ``file_data`` (a data URL or base64), ``file_url`` or ``file_id``, named by ``filename``."""
    name = f.get("filename")
    mime = guess_mime(name)
    data = f.get("file_data")
    if data:
        att = from_data_url(data, name)
        is_url = att is not None
        att = att or from_base64(data, mime, name)
        note_blob(blobs, (*path, "file_data"), att, is_url)
        return att
    if f.get("file_url"):
        return from_url(f.get("file_url"), mime, name)
    return from_file_id(provider, f.get("file_id"), mime, name) if f.get("file_id") else None


def audio_part(audio: Fields, blobs: Blobs | None, path: Path) -> Attachment:
    """An OpenAI ``input_audio`` payload: base64 ``data`` in ``format`` (wav, mp3...)."""
    att = from_base64(audio.get("data"), f"audio/{audio.get('format') or 'wav'}")
    note_blob(blobs, (*path, "data"), att, False)
    return att
