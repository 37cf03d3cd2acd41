"""Reading a report back: its data blocks decoded as the page decodes them, and a browser that may load
nothing but the report's own file."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

from ..viz.browser import CHROMIUM_FLAGS, need_chromium

_BLOCK = re.compile(r'<script type="application/octet-stream" id="([^"]+)">([^<]*)</script>')


def blocks(html: str) -> dict[str, str]:
    """Every data block of a report: element id -> base64 text."""
    return dict(_BLOCK.findall(html))


def unpack(text: str) -> Any:
    return json.loads(gzip.decompress(base64.b64decode(text)))


def index(path: Path) -> dict[str, Any]:
    """The report's index (what its page reads first)."""
    return unpack(blocks(path.read_text())["orw-index"])


def chunk(path: Path, rollout_id: str) -> dict[str, Any]:
    """One rollout's chunk, as the page unpacks it when the rollout is opened."""
    found = blocks(path.read_text())
    return unpack(found[unpack(found["orw-index"])["rollouts"][rollout_id]["chunk"]])


class OfflineBrowser:
    """Headless Chromium (Debian's) whose every request but the report file itself is aborted and recorded."""

    def __init__(self, pw: Any) -> None:
        self.browser = pw.chromium.launch(executable_path=need_chromium(), headless=True, args=CHROMIUM_FLAGS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def open(self, path: Path, viewport: dict[str, int] | None = None, timeout: float = 15_000) -> Any:
        """A new page showing the report at ``path`` (from file://), once it has drawn."""
        context = self.browser.new_context(viewport=viewport or {"width": 1280, "height": 1400})
        own = path.resolve().as_uri()

        def route(r: Any) -> None:
            self.requests.append(r.request.url)
            if r.request.url.split("#")[0] == own:
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.goto(own)
        page.wait_for_selector("#orw-report[data-ready]", timeout=timeout)
        return page

    def foreign_requests(self, path: Path) -> list[str]:
        own = path.resolve().as_uri()
        return [u for u in self.requests if u.split("#")[0] != own]

    def close(self) -> None:
        self.browser.close()
