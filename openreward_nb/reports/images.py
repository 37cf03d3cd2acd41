"""Images for a report: raster images only (decided from their bytes, as the widgets decide), as
thumbnails when Pillow is installed, each within a per-image and a whole-report cap.

What is left out is counted by reason, so the report can say so.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

from ..extras import install_hint
from ..viz.attachments import HEAD_BYTES, sniff_image

#: longest side of a thumbnail, in pixels
THUMB_PX = 480
#: an image at most this big may be kept as it is; a bigger one only as a thumbnail (with Pillow;
#: without it, it is left out). With Pillow the smaller of the image and its thumbnail is kept.
KEEP_BYTES = 200_000
#: images with more pixels than this are not decoded (a decompression bomb costs nothing)
MAX_PIXELS = 40_000_000

#: why an image is left out, as the report says it
TOO_BIG = "larger than {kb} KB ({hint} makes thumbnails of them)"
UNREADABLE = "could not be read as an image"
OVER_CAP = "over the report's image cap"


@dataclass
class Thumbnail:
    """An image as the report holds it."""

    mime: str
    data: bytes


def _pillow_thumbnail(data: bytes) -> Thumbnail | None:
    """A thumbnail of ``data`` made by Pillow; None when it cannot be read."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                return None
            im.draft("RGB", (THUMB_PX, THUMB_PX))  # JPEG: decode at a fraction of the size
            im.seek(0)
            im.thumbnail((THUMB_PX, THUMB_PX))
            alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            out = io.BytesIO()
            if alpha:
                im.convert("RGBA").save(out, "PNG", optimize=True)
                mime = "image/png"
            else:
                im.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
                mime = "image/jpeg"
    except Exception:  # Pillow raises many kinds on hostile bytes; any of them: not an image we show
        return None
    made = out.getvalue()
    return Thumbnail(mime, made) if sniff_image(made[:HEAD_BYTES]) == mime else None


def _has_pillow() -> bool:
    import importlib.util

    return importlib.util.find_spec("PIL") is not None


@dataclass
class ImageShelf:
    """The images a report holds, each once (by content), within ``budget`` bytes in all."""

    budget: int
    pillow: bool = field(default_factory=_has_pillow)
    #: the images kept, in order: a report refers to one by its position here
    kept: list[Thumbnail] = field(default_factory=list)
    used: int = 0
    #: why images were left out: reason -> how many
    left_out: Counter[str] = field(default_factory=Counter)
    _by_sha: dict[str, int | str] = field(default_factory=dict)

    def add(self, data: bytes) -> int | str:
        """The position of ``data``'s image in :attr:`kept`, or why it is left out."""
        sha = hashlib.sha256(data).hexdigest()
        known = self._by_sha.get(sha)
        if known is None:
            known = self._by_sha[sha] = self._admit(data)
        if isinstance(known, str):
            self.left_out[known] += 1
        return known

    def _admit(self, data: bytes) -> int | str:
        mime = sniff_image(data[:HEAD_BYTES])
        if mime is None:
            return UNREADABLE
        candidates = [Thumbnail(mime, data)] if len(data) <= KEEP_BYTES else []
        if self.pillow:
            small = _pillow_thumbnail(data)
            if small is not None:
                candidates.append(small)
        if not candidates:
            return UNREADABLE if self.pillow else TOO_BIG.format(kb=KEEP_BYTES // 1000, hint=install_hint("report"))
        image = min(candidates, key=lambda t: len(t.data))
        if self.used + len(image.data) > self.budget:
            return OVER_CAP
        self.used += len(image.data)
        self.kept.append(image)
        return len(self.kept) - 1

    def mark(self) -> tuple[int, int, int, Counter[str]]:
        """Where the shelf stands now, for :meth:`rollback`."""
        return len(self.kept), len(self._by_sha), self.used, self.left_out.copy()

    def rollback(self, mark: tuple[int, int, int, Counter[str]]) -> None:
        """Forget what was added since ``mark`` (a rollout that did not fit in the report after all)."""
        kept, seen, self.used, self.left_out = mark
        del self.kept[kept:]
        self._by_sha = dict(islice(self._by_sha.items(), seen))
