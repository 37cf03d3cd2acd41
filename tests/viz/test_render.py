"""Safe HTML: escaping, markdown with raw HTML off, a link allow-list."""

from __future__ import annotations

import pytest

from openreward_nb.viz.render import esc, markdown_html, safe_url


def test_esc_escapes_markup_and_quotes() -> None:
    assert esc('<b a="1">&\'') == "&lt;b a=&quot;1&quot;&gt;&amp;&#x27;"
    assert esc(None) == ""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "file:///etc/passwd",
        "",
    ],
)
def test_unsafe_urls_are_refused(url: str) -> None:
    assert safe_url(url) is None


def test_safe_urls_pass() -> None:
    assert safe_url("https://example.com/a?b") == "https://example.com/a?b"
    assert safe_url("mailto:a@b.c") == "mailto:a@b.c"


def test_markdown_keeps_raw_html_as_text() -> None:
    html = markdown_html('<script>alert(1)</script> <img src=x onerror="alert(1)"> </style> **bold**')
    assert "<script" not in html and "<img" not in html and "</style>" not in html
    assert "&lt;script&gt;" in html and "&lt;/style&gt;" in html
    assert "<strong>bold</strong>" in html


def test_markdown_links_only_safe_schemes_and_no_images() -> None:
    html = markdown_html(
        "[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](https://ok.example) ![i](https://x.example/p.png)"
    )
    assert 'href="javascript' not in html.lower() and "[a](javascript:alert(1))" in html
    assert html.count("<a ") == 2  # the https link and the image turned into a plain link
    assert 'href="https://ok.example" target="_blank" rel="noopener noreferrer nofollow"' in html
    assert "<img" not in html
