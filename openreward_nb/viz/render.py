"""Safe HTML building blocks: escaping, markdown with raw HTML off and an allow-list of link schemes."""

from __future__ import annotations

import html
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


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # no remote fetches from model-written text; images come as attachments
    md.validateLink = lambda url: safe_url(url) is not None  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:  # links open outside the page
        tokens[idx].attrSet("target", "_blank")
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


def markdown_html(text: str) -> str:
    """Markdown as HTML: raw HTML is escaped, only http(s)/mailto links survive, no images."""
    try:
        return str(_markdown().render(text))
    except ImportError:
        return f'<p class="orw-plain">{esc(text)}</p>'


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
