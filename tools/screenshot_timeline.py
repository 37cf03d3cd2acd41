"""Take docs/timeline.png: the quickstart notebook run in JupyterLab, in headless Chromium.

python tools/screenshot_timeline.py     (needs the test extra and Debian's chromium)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.viz.browser import CHROMIUM_FLAGS, JupyterServer, chromium_path, run_all  # noqa: E402


def main() -> int:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="orbnb-shot-"))
    shutil.copy(REPO / "notebooks" / "01_quickstart.ipynb", work / "quickstart.ipynb")
    with JupyterServer(work) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400}, device_scale_factor=1)
        run_all(page, server.url("quickstart.ipynb"), timeout=240)
        timeline = page.locator(".orw-timeline").first
        timeline.wait_for(state="visible", timeout=30_000)
        timeline.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        out = REPO / "docs" / "timeline.png"
        timeline.screenshot(path=str(out))
        browser.close()
    shutil.rmtree(work, ignore_errors=True)
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
