"""Static HTML and text renderings: bounded, escaped, and what a bundle carries outside a kernel."""

from __future__ import annotations

import dataclasses
import re

import pytest

from openreward_nb import UserMessage
from openreward_nb.viz import static, text
from openreward_nb.viz.views import WIDGET_MIME, RolloutView, RunView, compare, dashboard

from .conftest import record_episode


def test_static_timeline_is_bounded_with_a_note(client) -> None:
    r = client.rollout.create(run_name="long", rollout_name="long-one")
    for i in range(60):
        r.log(UserMessage(f"message number {i}"))
    html = static.timeline_html(r.record(), limit=25)
    assert "message number 24" in html and "message number 25" not in html
    assert "35 more events not shown" in html and "long-one" in html


def test_static_views_escape_hostile_content_everywhere(client, hostile) -> None:
    run = client.runs.get(hostile.run_name)
    for html in (
        static.timeline_html(hostile),
        RunView(run).static_html(),
        dashboard(client).static_html(),
        compare(hostile, hostile).static_html(),
    ):
        assert "<script" not in html and "<img" not in html
        assert re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", html) is None  # no tag carries an event handler
        assert "</style><b" not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html


def test_static_event_shows_badges_reasoning_and_markdown(episode) -> None:
    html = static.timeline_html(episode)
    assert "<details><summary>list first</summary>" in html
    assert "<strong>two</strong>" in html and "reward 0.1" in html and "finished" in html
    assert "more characters" in html  # the long tool output is clipped


def test_run_and_compare_static(client) -> None:
    for step in range(3):
        record_episode(client, run="train", name=f"ep{step}", solved=step != 1, step=step)
    run = client.runs.get("train")
    html = RunView(run).static_html()
    assert html.count("<tr>") == 4 and "3 rollouts" in html
    assert html.count("<svg") == 2 and "training step" in html  # histogram and curve, as SVG
    a, b = list(run.rollouts())[:2]
    cmp = compare(a, b).static_html()
    assert cmp.count("turn ") >= 3 and cmp.count('class="orws-cols"') >= 4


def test_text_summary_timeline_and_tables(episode) -> None:
    summary = text.rollout_summary(episode)
    assert "episode-0" in summary and "reward total 1.1 final 1" in summary and "9 events" in summary
    plain = text.timeline_text(episode, limit=6)
    assert "#4    tool call bash call_id=c1" in plain and "… 3 more events" in plain and "\033[" not in plain
    assert "\033[" in text.timeline_text(episode, color=True)
    table = text.table_text(
        [{"a": "x", "n": 5}, {"a": "long", "n": 1234}], (("a", "name", "text"), ("n", "count", "int"))
    )
    assert table.splitlines() == ["name  count", "x         5", "long  1,234"]


def test_text_makes_terminal_escapes_visible(hostile) -> None:
    out = text.timeline_text(hostile)
    assert "\x1b" not in out and "\\x1b[31mred" in out


def test_bundle_outside_a_kernel_is_html_and_text(episode) -> None:
    bundle = episode._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"} and WIDGET_MIME not in bundle
    assert bundle["text/plain"] == text.rollout_summary(episode)


def test_a_failing_view_warns_and_falls_back(episode) -> None:
    detached = dataclasses.replace(episode, _store=None)
    with pytest.warns(UserWarning, match="static HTML view failed"):
        bundle = RolloutView(detached)._repr_mimebundle_()
    assert "text/html" not in bundle and re.search("episode-0", bundle["text/plain"])


def test_static_run_table_says_how_many_rollouts_it_left_out(client) -> None:
    for k in range(static.STATIC_ROWS + 7):
        client.rollout.create(run_name="many", rollout_name=f"r{k}").log(UserMessage("hi"), reward=1.0)
    html = RunView(client.runs.get("many")).static_html()
    assert html.count("<tr>") == static.STATIC_ROWS + 1 and "7 more rollouts not shown" in html


def test_views_show_the_store_without_its_password(client, episode, monkeypatch) -> None:
    from openreward_nb.viz.runview import RunBrowser

    monkeypatch.setattr(client.store, "url", "postgresql://ml:s3cret@db.example:5432/runs")
    shown = "postgresql://ml:***@db.example:5432/runs"
    run = client.runs.get("demo")
    for html in (RunView(run).static_html(), dashboard(client).static_html()):
        assert shown in html and "s3cret" not in html
    browser = RunBrowser(run)
    try:
        assert shown in browser.title.value and "s3cret" not in browser.title.value
    finally:
        browser.close()


def test_show_indents_every_paragraph_of_a_reasoning_summary(client) -> None:
    from openreward_nb import ReasoningItem

    r = client.rollout.create(run_name="think")
    r.log(ReasoningItem(summary="**Plan**\n\nFirst paragraph.\n\nSecond paragraph.", content="raw\nthoughts"))
    out = text.timeline_text(r.record())
    body = out.split("#0", 1)[1].splitlines()[1:]
    assert [line for line in body if line] == [
        f"{text.INDENT}Plan",
        f"{text.INDENT}First paragraph.",
        f"{text.INDENT}Second paragraph.",
        f"{text.INDENT}raw",
        f"{text.INDENT}thoughts",
    ]


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def test_terminal_paths_pass_the_sanitiser(client) -> None:
    name = "run\nwith\x1b]0;title\x07 \u202eevil\u200b"
    r = client.rollout.create(run_name=name, rollout_name="r\nx", environment="e\x9b31m")
    r.log(UserMessage("body \x1b[2J\u202egnp.exe\u200b\nsecond line"), reward=0.0)
    rec = r.record()
    run = client.runs.get(name)
    outputs = [
        text.timeline_text(rec),
        text.rollout_summary(rec),
        RunView(run).text(),
        dashboard(client).text(),
        text.table_text([{"rollout": "a\nb", "n": 1}], (("rollout", "rollout", "text"), ("n", "n", "int"))),
    ]
    for out in outputs:
        assert UNSAFE.search(out) is None, out
    table = RunView(run).text().splitlines()
    assert table[0].startswith("run run\\nwith\\x1b]0;title\\x07 \\u202eevil\\u200b: 1 rollouts")
    assert len(table) == 3  # heading, column labels, one row: the newline in the name did not break it
    assert "body \\x1b[2J\\u202egnp.exe\\u200b" in outputs[0] and f"{text.INDENT}second line" in outputs[0]
    coloured = text.timeline_text(rec, color=True)
    assert UNSAFE.search(re.sub("\x1b\\[[0-9;]*m", "", coloured)) is None
