"""What an attachment is comes from its bytes: only PNG, JPEG, GIF and WebP are images; SVG, HTML and
anything else is a download of application/octet-stream under a cleaned name."""

from __future__ import annotations

import base64

import pytest

from openreward_nb import UserMessage
from openreward_nb.events import Attachment, Event
from openreward_nb.viz.attachments import DOWNLOAD_MIME, safe_filename, sniff_image, verdict
from openreward_nb.viz.payload import event_payload
from openreward_nb.viz.source import TimelineSource

from .conftest import PNG_BYTES

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__orw_pwned=1"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><script>window.__orw_pwned=1</script>"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
GIF = b"GIF89a\x01\x00\x01\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PNG_BYTES, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (SVG, None),
        (HTML, None),
        (b"\x89PNG fake", None),
        (b"", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
    ],
)
def test_images_are_known_by_their_first_bytes(head: bytes, mime: str | None) -> None:
    assert sniff_image(head[:16]) == mime


def test_declared_types_do_not_make_an_image() -> None:
    for declared in ("image/png", "image/Svg+xml", "image/svg+xml", "IMAGE/PNG"):
        found = verdict({"mime": declared, "sha256": "s", "size": len(SVG), "name": "x.png"}, SVG[:16], "f")
        assert found == {"label": "x.png", "size": len(SVG), "v": "file", "name": "x.png"}
    real = verdict({"mime": "text/html", "sha256": "s", "size": 10}, PNG_BYTES[:16], "f")
    assert real["v"] == "image" and real["mime"] == "image/png"
    big = verdict({"mime": "image/png", "sha256": "s", "size": 10**9}, PNG_BYTES[:16], "f")
    assert big["v"] == "none"


def test_urls_data_urls_and_unsafe_schemes() -> None:
    png_url = "data:image/svg+xml;base64," + base64.b64encode(PNG_BYTES).decode()
    svg_url = "data:image/png;base64," + base64.b64encode(SVG).decode()
    assert verdict({"mime": "image/svg+xml", "url": png_url}, None, "f")["url"].startswith("data:image/png;base64,")
    assert verdict({"mime": "image/png", "url": svg_url, "name": "a.png"}, None, "f") == {
        "label": "a.png",
        "v": "file",
        "name": "a.png",
        "size": len(SVG),
    }
    assert verdict({"mime": "image/png", "url": "https://x.example/a.png"}, None, "f")["v"] == "image"
    assert verdict({"mime": "image/Svg+xml", "url": "https://x.example/a.svg"}, None, "f") == {
        "label": "image/Svg+xml",
        "v": "link",
        "url": "https://x.example/a.svg",
    }
    for url in ("javascript:alert(1)", " JAVASCRIPT:alert(1)", "file:///etc/passwd", "blob:https://x/1"):
        assert verdict({"mime": "image/png", "url": url}, None, "f")["v"] == "none"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\evil.svg", "evil.svg"),
        ("re\u202eport\u200b.pdf", "report.pdf"),
        ('a"b<c>|d?.txt', "a_b_c__d_.txt"),
        ("line\nbreak\x1b[2J.txt", "linebreak[2J.txt"),
        ("...hidden", "hidden"),
        ("", "fallback"),
        ("x" * 300, "x" * 100),
    ],
)
def test_download_names_are_cleaned(name: str, safe: str) -> None:
    assert safe_filename(name, "fallback") == safe


def test_the_kernel_sends_images_as_images_and_the_rest_as_downloads(client) -> None:
    r = client.rollout.create(run_name="atts")
    atts = [
        Attachment("image/png", PNG_BYTES, name="real.png"),
        Attachment("image/png", SVG, name="fake.png"),
        Attachment("image/Svg+xml", SVG, name="../drawing.svg"),
        Attachment("text/html", HTML, name="page.html"),
    ]
    r._emit(Event("user_message", "files", attachments=atts))
    r.log(UserMessage("after"))
    rec = r.record()
    src = TimelineSource(rec)
    shown = src.window(0, 10)["events"][0]["att"]
    assert [a["v"] for a in shown] == ["image", "file", "file", "file"]
    assert shown[0]["mime"] == "image/png" and shown[2]["name"] == "drawing.svg"
    image, data = src.attachment(0, 0)
    assert (image["v"], image["mime"], data) == ("image", "image/png", PNG_BYTES)
    for k, raw in ((1, SVG), (2, SVG), (3, HTML)):
        answer, data = src.attachment(0, k)
        assert (answer["v"], answer["mime"], data) == ("file", DOWNLOAD_MIME, raw)
    # the payload alone (without the bytes' heads) never calls a stored attachment an image
    assert [a["v"] for a in event_payload(rec.event(0))["att"]] == ["file"] * 4
