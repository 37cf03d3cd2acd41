"""The step diff in a real browser (JupyterLab in headless Chromium): it opens with the first divergence
on screen, what differs is marked, folds open from the kernel, compare's switch turns to it, a side's
thumbnails, downloads and "show all" come from that side's rollout, and hostile content stays inert text."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import nbformat
import pytest

from openreward_nb import AssistantMessage, OpenReward, UserMessage
from openreward_nb.events import Attachment, Event

from ..alignment.build import Reward, record
from .browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from .hostile import HOSTILE, SENTINEL

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

CELLS = (
    'import openreward_nb as orn\norn.diff("diff/good", "diff/bad", store="diff.sqlite")',
    'orn.compare("diff/good", "diff/bad", store="diff.sqlite")',
    'orn.diff("hostile/a", "hostile/b", store="diff.sqlite")',
    'orn.diff("media/a", "media/b", store="diff.sqlite")',
)


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG (grey pixels), made here."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


LONG = "".join(f"line {k} of a long answer\n" for k in range(200))
#: the first divergence lies below two tall identical steps: it is on screen only if the view scrolls to it
TALL = "\n".join(f"line {k} of a long task description" for k in range(80))
IN_VIEW = """([list, node]) => { const l = list.getBoundingClientRect(), n = node.getBoundingClientRect();
  return n.top >= l.top - 1 && n.top < l.bottom - 20 && n.top >= 0 && n.top < window.innerHeight - 20; }"""


def make_store(path: Path) -> None:
    client = OpenReward(store=path)
    head = [("user", TALL), ("assistant", TALL)]
    record(
        client,
        "good",
        [
            *head,
            ("call", "bash", {"command": "ls -la", "timeout": 30}),
            ("result", "flag.txt notes.txt"),
            ("call", "submit", {"flag": "F{1}"}),
            ("result", "correct", Reward(1.0, True)),
        ],
    )
    record(
        client,
        "bad",
        [
            *head,
            ("call", "bash", {"command": "ls", "timeout": 30}),
            ("result", "flag.txt"),
            ("call", "submit", {"flag": "F{0}"}),
            ("result", "wrong", Reward(0.0, True)),
        ],
    )
    steps = [("user", "task")] * 4
    record(client, "a", [*steps, ("call", "bash", {"cmd": HOSTILE}), ("assistant", HOSTILE + " one")], run="hostile")
    record(
        client, "b", [*steps, ("call", "bash", {"cmd": HOSTILE + "!"}), ("assistant", HOSTILE + " two")], run="hostile"
    )
    # B only: an image and a file attached to one step, a long answer clipped in another
    record(client, "a", [("user", "task")], run="media")
    b = client.rollout.create(run_name="media", rollout_name="b")
    b.log(UserMessage("task"))
    b._emit(
        Event(
            "user_message",
            "the screen",
            attachments=[
                Attachment("image/png", png(), name="screen.png"),
                Attachment("text/plain", b"notes", name="n.txt"),
            ],
        )
    )
    b.log(AssistantMessage(LONG))
    b.finish()
    client.close()


def check_media(page, view) -> None:
    """B's steps ask B's rollout (the side travels with each request): its thumbnail, its file, its whole text."""
    view.evaluate("e => e.scrollIntoView({block: 'start'})")
    thumb = view.locator(".orw-diff-side-b img.orw-thumb[src^='blob:']")
    thumb.wait_for(timeout=15_000)
    page.wait_for_function("i => i.naturalWidth === 3", arg=thumb.element_handle(), timeout=10_000)
    with page.expect_download() as info:
        view.locator(".orw-diff-side-b .orw-download").click()
    assert info.value.suggested_filename == "n.txt"
    assert Path(info.value.path()).read_bytes() == b"notes"
    answer = view.locator(".orw-diff-side-b.orw-t-assistant_message")
    answer.locator(".orw-expand").click()
    answer.locator(".orw-clip").wait_for(state="detached", timeout=10_000)
    assert answer.locator("pre.orw-text").inner_text().strip() == LONG.strip()


def test_diff_in_browser(tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    make_store(tmp_path / "diff.sqlite")
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS]), tmp_path / "diff.ipynb"
    )
    shots = Path(os.environ.get("OPENREWARD_NB_SCREENSHOTS") or tmp_path)
    with JupyterServer(tmp_path, "lab") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1300}, accept_downloads=True)
            dialogs: list[str] = []
            errors: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            run_all(page, server.url("diff.ipynb"))
            cells = page.locator(".jp-Notebook .jp-Cell")
            view = cells.nth(0).locator(".orw-diff")
            first = view.locator(".orw-diff-first")
            first.wait_for(timeout=30_000)
            view.evaluate("e => e.scrollIntoView({block: 'start'})")
            # the first divergence is on screen when the view opens: the list has scrolled to it
            page.wait_for_function(
                IN_VIEW, arg=[view.locator(".orw-list").element_handle(), first.element_handle()], timeout=10_000
            )
            view.screenshot(path=str(shots / "diff.png"))
            assert first.get_attribute("data-op") == "changed"
            assert "first divergence" in first.inner_text()
            assert first.locator(".orw-diff-mark-a").all_inner_texts() == ['"command": "ls -la"']
            assert first.locator(".orw-diff-mark-b").all_inner_texts() == ['"command": "ls"']
            # both rollouts' rewards on one chart, the first divergence marked there
            assert view.locator(".orw-chart .orw-diff-cum").count() == 2
            assert view.locator(".orw-chart .orw-diff-first-line").count() == 1
            # the two identical steps before it are shown whole (fewer than a fold); clicking a chart point
            # brings its row into view
            assert view.locator(".orw-diff-op-equal .orw-ev").count() == 2
            view.locator(".orw-chart .orw-diff-pt-b").last.click()
            view.locator(".orw-diff-row.orw-flash[data-bi='5']").wait_for(timeout=10_000)
            # compare's switch turns its two timelines into the diff
            cmp = cells.nth(1)
            cmp.locator(".orw-compare .orw-timeline .orw-ev").first.wait_for(timeout=15_000)
            cmp.locator(".orw-compare-switch button", has_text="step diff").click()
            cmp.locator(".orw-diff .orw-diff-first").wait_for(timeout=15_000)
            assert cmp.locator(".orw-compare").count() == 0 or not cmp.locator(".orw-compare").is_visible()
            # hostile content: a fold opens with steps fetched from the kernel; nothing runs
            hostile = cells.nth(2).locator(".orw-diff")
            hostile.locator(".orw-diff-unfold").click()
            hostile.locator(".orw-diff-foldrows .orw-ev").nth(3).wait_for(timeout=10_000)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.wait_for_timeout(500)
            assert page.evaluate(f"() => window.{SENTINEL}") is None
            assert not dialogs, dialogs
            assert page.locator(".orw-diff img[src='x'], .orw-diff [onerror], .orw-diff script").count() == 0
            assert f'window.{SENTINEL}="script"' in hostile.inner_text()
            check_media(page, cells.nth(3).locator(".orw-diff"))
            assert not [e for e in errors if "orw" in e or "anywidget" in e], errors
        finally:
            browser.close()
