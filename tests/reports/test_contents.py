"""What a report file holds, read back without a browser: one self-contained page under a strict
Content-Security-Policy, each rollout's timeline in its own compressed chunk made of the widget's own
payloads, the filters of rollouts_df choosing what goes in, and a notice for everything left out."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
from html.parser import HTMLParser

import pytest

import openreward_nb
from openreward_nb import UserMessage
from openreward_nb.errors import InvalidArgumentError, NotFoundError
from openreward_nb.events import Attachment, Event
from openreward_nb.reports import page
from openreward_nb.reports.images import KEEP_BYTES, ImageShelf
from openreward_nb.viz.assets import module
from openreward_nb.viz.source import MAX_PAGE, TimelineSource

from ..helpers import PYTHON, subprocess_env
from ..viz.conftest import record_episode
from .support import blocks, chunk, index, unpack


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and dict(self.tags[-1][1]).get("type") == "module":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def run_store(client):
    for k in range(4):
        record_episode(client, run="demo", name=f"ep-{k}", solved=k % 2 == 0, step=k)
    record_episode(client, run="other", name="ep-x")
    client.rollout.flush()
    return client


def test_the_file_is_one_page_whose_policy_allows_only_its_own_script_and_style(run_store, tmp_path) -> None:
    out = openreward_nb.report("demo", tmp_path / "r.html", store=run_store.store)
    parsed = _Tags()
    parsed.feed(out.path.read_text())
    assert [tag for tag, _ in parsed.tags[:4]] == ["html", "head", "meta", "meta"]
    csp = parsed.tags[3][1]
    assert csp["http-equiv"] == "Content-Security-Policy"  # before any script or style
    policy = csp["content"] or ""
    (script,) = parsed.scripts
    (style,) = parsed.styles
    assert f"script-src {_sha(script)};" in policy and f"style-src {_sha(style)};" in policy
    assert policy.startswith("default-src 'none';") and "img-src blob:;" in policy
    assert "unsafe" not in policy and "http" not in policy
    for tag, attrs in parsed.tags:  # nothing is loaded from anywhere: no src, no href, no link element
        assert tag != "link" and "src" not in attrs and "href" not in attrs, (tag, attrs)
        if tag == "script":
            assert attrs.get("type") in ("module", "application/octet-stream"), attrs
    # the widgets' own modules are inside, as the widgets get them (each after dom.js; the timeline's with events.js)
    for name in ("timeline.js", "table.js", "runcharts.js"):
        source = module(name)
        body = source[: source.index("export default ")]
        assert body in script, name


def test_each_rollout_is_its_own_chunk_of_the_widgets_payloads(run_store, tmp_path) -> None:
    run = run_store.runs.get("demo")
    out = run.to_html(tmp_path / "r.html")
    assert (out.rollouts, out.timelines, out.notices) == (4, 4, [])
    found = blocks(out.path.read_text())
    ix = unpack(found["orw-index"])
    ids = [r.id for r in run.rollouts()]
    assert set(ix["rollouts"]) == set(ids)
    assert len({ix["rollouts"][i]["chunk"] for i in ids}) == 4  # one chunk each
    (section,) = ix["sections"]
    assert section["kind"] == "run" and [r["id"] for r in section["rows"]] == ids
    assert section["charts"]["rewards"] == 4 and section["charts"]["curve"]["by"] == "step"
    rec = run_store.rollouts.get(ids[1])
    got = chunk(out.path, rec.id)
    widget = TimelineSource(rec).window(0, MAX_PAGE)["events"]
    # the same payloads the widget pages, but for attachments (the report's own images, below)
    assert [{k: v for k, v in e.items() if k != "att"} for e in got["events"]] == [
        {k: v for k, v in e.items() if k != "att"} for e in widget
    ]
    assert got["header"]["id"] == rec.id and got["total"] == rec.n_events == 9
    assert got["counts"] == {
        "system_message": 1,
        "user_message": 2,
        "reasoning": 1,
        "tool_call": 2,
        "tool_result": 2,
        "assistant_message": 1,
    }
    long = next(e for e in got["events"] if e["n"] > len(e["text"]))
    assert len(got["full"][str(long["i"])]) == long["n"]  # "show all" has the whole text
    assert got["chart"]["finished"] == 8 and got["cut"] is None


def test_the_data_is_compressed_and_opening_one_rollout_needs_only_its_chunk(run_store, tmp_path) -> None:
    out = openreward_nb.report(["demo", "other"], tmp_path / "r.html", store=run_store.store)
    ix = index(out.path)
    assert [s["name"] for s in ix["sections"]] == ["demo", "other"]
    raw = sum(len(json.dumps(chunk(out.path, i))) for i in ix["rollouts"])
    packed = sum(len(v) for k, v in blocks(out.path.read_text()).items() if k != "orw-index")
    assert packed < raw / 3  # gzip + base64 of repetitive JSON


def test_filters_choose_what_goes_in(run_store, tmp_path) -> None:
    out = openreward_nb.report("demo", tmp_path / "r.html", store=run_store.store, min_reward=0.5)
    rows = index(out.path)["sections"][0]["rows"]
    assert sorted(r["rollout"] for r in rows) == ["ep-0", "ep-2"] and out.timelines == 2
    out = openreward_nb.report(None, tmp_path / "all.html", store=run_store.store, metadata={"seed": 3})
    assert out.rollouts == 5
    with pytest.raises(NotFoundError, match="no rollouts to report"):
        openreward_nb.report("demo", tmp_path / "x.html", store=run_store.store, split="test")
    with pytest.raises(InvalidArgumentError, match="unknown filter 'splt'"):
        openreward_nb.report("demo", tmp_path / "x.html", store=run_store.store, splt="test")
    with pytest.raises(NotFoundError, match="no run named 'nope'"):
        openreward_nb.report("nope", tmp_path / "x.html", store=run_store.store)
    with pytest.raises(InvalidArgumentError, match="max_mb"):
        openreward_nb.report("demo", tmp_path / "x.html", store=run_store.store, max_mb=-1)
    assert not (tmp_path / "x.html").exists()


def test_a_run_too_big_is_cut_with_a_notice_and_its_rows_say_so(run_store, tmp_path) -> None:
    one = len(
        blocks(openreward_nb.report("demo", tmp_path / "a.html", store=run_store.store).path.read_text())["orw-r0"]
    )
    out = openreward_nb.report("demo", tmp_path / "r.html", store=run_store.store, max_mb=2.5 * one / 1e6)
    assert (out.rollouts, out.timelines) == (4, 2)
    assert "holds the timelines of 2 of 4 rollouts" in out.notices[0] and "--max-mb" in out.notices[0]
    ix = index(out.path)
    assert ix["notices"] == out.notices
    rows = ix["sections"][0]["rows"]
    assert [r["in_report"] for r in rows] == ["timeline", "timeline", "table only", "table only"]
    assert [e["chunk"] is None for e in ix["rollouts"].values()] == [False, False, True, True]
    assert "in_report" in [c["key"] for c in ix["sections"][0]["columns"]]
    out = openreward_nb.report("demo", tmp_path / "e.html", store=run_store.store, max_events=5)
    assert out.notices == [
        "4 rollouts longer than 5 events: their timelines stop at event #4 (max_events, --max-events)."
    ]
    got = chunk(out.path, run_store.runs.get("demo").rollouts().__next__().id)
    assert (
        got["cut"] == {"shown": 5, "total": 9}
        and got["total"] == 5
        and [e["i"] for e in got["events"]] == list(range(5))
    )
    assert sum(got["counts"].values()) == 5 and got["chart"]["n"] == 0  # only what the file holds


def _png(width: int, height: int, noise: bool) -> bytes:
    from PIL import Image

    raw = os.urandom(width * height * 3) if noise else bytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), raw).save(out, "PNG")
    return out.getvalue()


def test_images_become_thumbnails_within_a_cap_and_the_rest_is_said(client, tmp_path) -> None:
    small, big = _png(16, 16, False), _png(900, 700, True)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    r = client.rollout.create(run_name="img")
    atts = [
        Attachment("image/png", small, name="small.png"),
        Attachment("image/png", big, name="big.png"),
        Attachment("image/png", svg, name="lies.png"),  # declared an image; its bytes say otherwise
        Attachment("image/png", url="https://example.com/remote.png", name="remote.png"),
        Attachment("image/png", url="data:image/png;base64," + base64.b64encode(small).decode(), name="inline.png"),
    ]
    r._emit(Event("user_message", "look", attachments=atts))
    r.finish()
    rec = r.record()
    out = rec.to_html(tmp_path / "r.html")
    got = chunk(out.path, rec.id)
    small_v, big_v, svg_v, remote_v, inline_v = got["events"][0]["att"]
    found = blocks(out.path.read_text())
    kept = {k: base64.b64decode(v) for k, v in found.items() if k.startswith("orw-img")}
    assert small_v["v"] == inline_v["v"] == "image" and small_v["img"] == inline_v["img"]  # the same bytes, once
    assert kept[f"orw-img{small_v['img']}"] == small
    thumb = kept[f"orw-img{big_v['img']}"]
    assert big_v["mime"] == "image/jpeg" and thumb[:3] == b"\xff\xd8\xff" and len(thumb) < len(big) / 10
    assert svg_v == {"v": "none", "label": "lies.png (a file: not in this report)", "size": len(svg)}
    assert b"<svg" not in b"".join(kept.values())
    assert remote_v == {"v": "link", "url": "https://example.com/remote.png", "label": "remote.png"}
    assert out.notices == [
        "1 attached file not in this file (a report holds images only).",
        "1 image at remote addresses shown as links (a report makes no requests).",
    ]
    out = rec.to_html(tmp_path / "capped.html", image_mb=0.001)  # room for the small one only
    assert len(small) < 1000 < len(thumb)
    assert out.notices[0] == "1 image left out: over the report's image cap of 0.001 MB (image_mb, --image-mb)."
    _, big_v, *_ = chunk(out.path, rec.id)["events"][0]["att"]
    assert big_v["v"] == "none" and big_v["label"].startswith("big.png (image left out: over the report's image cap")


def test_without_pillow_big_images_are_left_out_and_small_ones_kept() -> None:
    shelf = ImageShelf(budget=10**9, pillow=False)
    small, big = _png(16, 16, False), _png(400, 300, True)
    assert len(big) > KEEP_BYTES and shelf.add(small) == 0
    assert shelf.add(big).startswith("larger than 200 KB (") and "openreward-nb[report]" in str(shelf.add(big))
    assert shelf.left_out == {shelf.add(big): 3}
    assert shelf.add(b"GIF89a not really") == 1 and shelf.add(b"<html>") == "could not be read as an image"


def test_a_module_that_imports_cannot_be_inlined() -> None:
    assert page.module_as_function("const a = 1;\nexport default { a };\n", "m.js").endswith("return { a };\n\n})()")
    for source in (
        "import x from './x.js';\nexport default {};",
        "export default {};\nexport default {};",
        "const a = 1;",
    ):
        with pytest.raises(ValueError, match="one `export default` and no import"):
            page.module_as_function(source, "m.js")


def test_every_way_to_make_a_report(client, tmp_path) -> None:
    r = client.rollout.create(run_name="live", rollout_name="one")
    r.log(UserMessage("hello"))
    out = r.to_html(tmp_path / "live.html")  # flushed first, still running
    ix = index(out.path)
    assert ix["single"] == r.id and ix["sections"] == [] and out.timelines == 1
    assert chunk(out.path, r.id)["header"]["status"] == "running"
    assert openreward_nb.report is openreward_nb.reports.report  # the lazy export is the function
    with pytest.raises(InvalidArgumentError, match="is a folder"):
        client.runs.get("live").to_html(tmp_path)


def test_the_command_writes_a_report_and_says_what_it_left_out(run_store, store_path, tmp_path) -> None:
    target = tmp_path / "out" / "cmd.html"
    cmd = [PYTHON, "-m", "openreward_nb", "--store", str(store_path), "report", "demo", "other", "-o", str(target)]
    done = subprocess.run(
        [*cmd, "--status", "finished", "--max-events", "3", "--meta", "seed=3"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"wrote .*cmd\.html \([\d.]+ MB\): 5 rollouts, 5 timelines", done.stdout)
    assert (
        "note: 5 rollouts longer than 3 events" in done.stdout
        and f"open it in any browser: {target.resolve().as_uri()}" in done.stdout
    )
    assert [s["name"] for s in index(target)["sections"]] == ["demo", "other"]
    bad = subprocess.run([*cmd, "--since", "yesterday"], capture_output=True, text=True, env=subprocess_env())
    assert bad.returncode == 2 and "Invalid isoformat string: 'yesterday'" in bad.stderr
    none = subprocess.run([*cmd, "--split", "nope"], capture_output=True, text=True, env=subprocess_env())
    assert none.returncode == 1 and "no rollouts to report" in none.stderr


def test_what_a_cut_leaves_out_takes_no_room_and_is_not_counted_twice(client, tmp_path) -> None:
    for k in range(3):
        r = client.rollout.create(run_name="pics", rollout_name=f"r{k}")
        att = [
            Attachment("image/png", _png(8, 8 + k, False), name="p.png"),
            Attachment("text/html", b"<p>x</p>", name="x.html"),
        ]
        r._emit(Event("user_message", "look", attachments=att))
        r.finish()
    client.rollout.flush()
    whole = openreward_nb.report("pics", tmp_path / "whole.html", store=client.store)
    sizes = blocks(whole.path.read_text())
    room = len(sizes["orw-r0"]) + len(sizes["orw-img0"]) + 10
    out = openreward_nb.report("pics", tmp_path / "cut.html", store=client.store, max_mb=room / 1e6)
    assert out.timelines == 1
    assert sorted(k for k in blocks(out.path.read_text()) if k.startswith("orw-img")) == ["orw-img0"]
    assert out.notices[1:] == ["1 attached file not in this file (a report holds images only)."]
