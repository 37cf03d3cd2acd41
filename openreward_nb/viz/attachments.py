"""What an attachment is, decided from its bytes: the verdict the widgets obey.

A declared mime type is whatever a model, a tool or a peer said. An image is only what
starts like a PNG, JPEG, GIF or WebP file; anything else (SVG and HTML above all, whose
scripts would run in the Jupyter origin if opened from a blob URL) is offered only as a
download of ``application/octet-stream`` under a cleaned file name.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Any

from .render import safe_url

#: bytes of an attachment read to tell what it is
HEAD_BYTES = 16
#: largest attachment sent to the browser (as a thumbnail or a download)
MAX_SEND_BYTES = 8 * 1024 * 1024
#: the mime type every download is sent as
DOWNLOAD_MIME = "application/octet-stream"

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_RASTER_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def sniff_image(head: bytes) -> str | None:
    """The raster image type ``head`` (a file's first bytes) starts like, else None."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def safe_filename(name: Any, fallback: str) -> str:
    """``name`` cut to its last path part, without control, format or path characters, at most 100
    characters and not hidden; ``fallback`` when nothing is left."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " "
    )  # controls, formats (bidi, zero-width), separators
    kept = _NAME_UNSAFE.sub("_", kept).strip(" .")[:100].strip(" .")
    return kept or fallback


def data_url_bytes(url: str, limit: int = MAX_SEND_BYTES) -> bytes | None:
    """The bytes of a base64 ``data:`` URL (None for any other URL, bad base64 or more than ``limit`` bytes)."""
    head, sep, payload = url.partition(",")
    if not sep or not head.lower().startswith("data:") or not head.lower().endswith(";base64"):
        return None
    if len(payload) > limit * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        return None


def verdict(ref: dict[str, Any], head: bytes | None, fallback_name: str) -> dict[str, Any]:
    """What the browser may do with one stored attachment reference (``mime``, ``sha256``, ``size``,
    ``url``, ``name``), given its first bytes when it has bytes in the store:

    - ``{"v": "image", "mime"}``: a raster image, fetched from the kernel and shown as a thumbnail;
      ``{"v": "image", "url"}`` for an http(s) URL declared as a raster image (loaded by an
      ``<img>``, where no script runs) or a data URL whose bytes are one;
    - ``{"v": "file", "name"}``: offered as a download only;
    - ``{"v": "link", "url"}``: a remote http(s) file, opened outside the notebook's origin;
    - ``{"v": "none"}``: nothing to show but its label.

    Every verdict carries ``label`` (the declared name or type, as text) and ``size`` when known.
    """
    declared = str(ref.get("mime") or "")
    out: dict[str, Any] = {"label": str(ref.get("name") or declared or "attachment")}
    size = ref.get("size")
    if isinstance(size, int):
        out["size"] = size
    if ref.get("sha256") is not None:
        too_big = isinstance(size, int) and size > MAX_SEND_BYTES
        mime = sniff_image(head or b"")
        if too_big:
            out["v"] = "none"
        elif mime is not None:
            out.update(v="image", mime=mime)
        else:
            out.update(v="file", name=safe_filename(ref.get("name"), fallback_name))
        return out
    url = str(ref.get("url") or "")
    data = data_url_bytes(url) if url[:5].lower() == "data:" else None
    if data is not None:
        mime = sniff_image(data[:HEAD_BYTES])
        if mime is not None:
            out.update(v="image", url=f"data:{mime};base64,{base64.b64encode(data).decode()}")
        else:
            out.update(v="file", name=safe_filename(ref.get("name"), fallback_name), size=len(data))
        return out
    remote = safe_url(url)
    if remote is None or remote.lower().startswith("mailto:"):
        out["v"] = "none"
    elif declared.strip().lower() in _RASTER_MIMES:
        out.update(v="image", url=remote)
    else:
        out.update(v="link", url=remote)
    return out


def attachment_bytes(ref: dict[str, Any], stored: bytes | None) -> tuple[str, bytes] | None:
    """(mime to send, bytes) for one attachment the browser asked for: a raster image as its own type,
    anything else as ``application/octet-stream``; None when there is nothing to send."""
    data = stored if stored is not None else data_url_bytes(str(ref.get("url") or ""))
    if data is None or len(data) > MAX_SEND_BYTES:
        return None
    return sniff_image(data[:HEAD_BYTES]) or DOWNLOAD_MIME, data
