"""Safe HTML building blocks: escaping, markdown with raw HTML off and an allow-list of link schemes."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from typing import Any

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def esc(value: Any) -> str:
    """``value`` as text safe anywhere in HTML (element content or a quoted attribute)."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """``url`` if it uses an allowed scheme (http, https, mailto), else None."""
    if not url:
        return None
    squashed = "".join(ch for ch in url.strip() if ch > " ").lower()
    return url.strip() if squashed.startswith(SAFE_SCHEMES) else None


_IMAGE_DATA_PREFIXES = tuple(f"data:image/{t};base64," for t in ("png", "jpeg", "gif", "webp"))


def safe_image_src(url: str | None) -> str | None:
    """``url`` if an <img> may load it: http(s), or a base64 data URL of a raster image."""
    if url and url.strip().lower().startswith(_IMAGE_DATA_PREFIXES):
        return url.strip()
    found = safe_url(url)
    return found if found and not found.lower().startswith("mailto:") else None


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # no remote fetches from model-written text; images come as attachments
    md.validateLink = lambda url: safe_url(url) is not None  # type: ignore[method-assign]

    def link_open(renderer, tokens, idx, options, env):  # open links outside the notebook page
        tokens[idx].attrSet("target", "_blank")
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def markdown_html(text: str) -> str:
    """Markdown as HTML: raw HTML is escaped, only http(s)/mailto links survive, no images."""
    try:
        return _markdown().render(text)
    except ImportError:
        return f'<p class="orw-plain">{esc(text)}</p>'


def pretty_json(text: str, limit: int = 200_000) -> str:
    """JSON text laid out for reading (multi-line strings as indented blocks); anything else as it is."""
    if len(text) > limit or text[:1] not in ("{", "["):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return "\n".join(_readable(value, ""))


def _readable(value: Any, pad: str) -> list[str]:
    """Lines of an indented JSON-like rendering; strings with newlines become ``|`` blocks."""
    inner = pad + "  "
    if isinstance(value, dict) and value:
        lines = ["{"]
        for i, (key, item) in enumerate(value.items()):
            comma = "," if i < len(value) - 1 else ""
            sub = _readable(item, inner)
            lines.append(f"{inner}{json.dumps(key, ensure_ascii=False)}: {sub[0]}")
            lines.extend(sub[1:])
            lines[-1] += comma if sub[0] != "|" else ""
        return lines + [pad + "}"]
    if isinstance(value, list) and value:
        lines = ["["]
        for i, item in enumerate(value):
            sub = _readable(item, inner)
            lines.append(inner + sub[0])
            lines.extend(sub[1:])
            lines[-1] += "," if i < len(value) - 1 and sub[0] != "|" else ""
        return lines + [pad + "]"]
    if isinstance(value, str) and "\n" in value:
        return ["|"] + [inner + line for line in value.splitlines()]
    return [json.dumps(value, ensure_ascii=False)]


def human_bytes(n: float | None) -> str:
    """1536 -> '1.5 KB'."""
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def human_duration(seconds: float | None) -> str:
    """75.2 -> '1m 15s'."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def fmt_reward(value: float | None) -> str:
    """A reward for display ('' when unset)."""
    return "" if value is None else f"{value:.4g}"
