"""The search view's kernel side: its static HTML and text (hostile text escaped, inert), the live
widget's search running on its own thread and paging, and a result opening its rollout's timeline at
the event; the dashboard's and run view's search boxes."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest

import openreward_nb
from openreward_nb import UserMessage
from openreward_nb.fulltext import request as request_module
from openreward_nb.viz import searchwidget
from openreward_nb.viz.searchwidget import SearchBrowser, SearchWidget

from ..viz.hostile import HOSTILE, SENTINEL, STATIC_ATTRS, STATIC_TAGS, check_terminal, make_hostile_store
from .episodes import record_corpus, wait_indexed


class Parsed(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.marks: list[str] = []
        self._in_mark = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag) -> None:
        self._in_mark = self._in_mark and tag != "mark"

    def handle_data(self, data) -> None:
        self.text.append(data)
        if self._in_mark:
            self.marks.append(data)


def test_static_html_escapes_hostile_text_and_marks_each_match(tmp_path) -> None:
    store = tmp_path / "hostile.sqlite"
    make_hostile_store(store)
    found = openreward_nb.search(SENTINEL, store=store)  # what the store holds (the shared fixture grows)
    events, rollouts = len(found), found["rollout_id"].nunique()
    assert events > rollouts > 1
    view = openreward_nb.search_view(SENTINEL, store=store)
    parsed = Parsed(view.static_html())
    for tag, attrs in parsed.tags:  # every element is one the view makes; no attribute holds content
        assert tag in STATIC_TAGS | {"mark"}, f"<{tag}> came from content"
        for name, value in attrs.items():
            assert name in STATIC_ATTRS and SENTINEL not in (value or ""), (tag, name, value)
    assert set(parsed.marks) == {SENTINEL} and len(parsed.marks) == events  # every match, each marked
    shown = "".join(parsed.text)
    assert f'<script>window.{SENTINEL}="script"</script>' in shown  # hostile markup shown as text
    assert f"{events} matching events in {rollouts} rollouts" in shown
    check_terminal(view.text())
    assert view.text().count(f"«{SENTINEL}»") == events


def test_static_html_groups_by_rollout_and_counts_per_run(client) -> None:
    record_corpus(client)
    html = openreward_nb.search_view("/challenge/", store=client.store).static_html()
    text = "".join(Parsed(html).text)
    assert "4 matching events in 3 rollouts · by run: ctf-a 3 · ctf-b 1" in text
    assert text.index("wipe") < text.index("twice") < text.index("languages")
    assert "2 matches" in text and "1 match" in text


def test_bad_input_fails_at_the_call(client) -> None:
    record_corpus(client)
    with pytest.raises(openreward_nb.InvalidArgumentError, match="missing \\)"):
        openreward_nb.search_view("(", regex=True, store=client.store)
    with pytest.raises(openreward_nb.NotFoundError, match="no run named 'x'"):
        openreward_nb.search_view("a", runs="x", store=client.store)


class Recorder:
    """The messages a widget sends to the browser, with a way to wait for one."""

    def __init__(self, monkeypatch) -> None:
        self.messages: list[dict] = []
        self.arrived = threading.Condition()
        recorder = self

        def send(widget, content, buffers=None) -> None:
            with recorder.arrived:
                recorder.messages.append(content)
                recorder.arrived.notify_all()

        monkeypatch.setattr(SearchWidget, "send", send)

    def wait(self, kind: str, job: int, timeout: float = 30.0) -> dict:
        with self.arrived:
            found = self.arrived.wait_for(lambda: self.find(kind, job), timeout)
        assert found, f"no {kind} message for search {job}: {self.messages}"
        return found

    def find(self, kind: str, job: int) -> dict | None:
        return next((m for m in self.messages if m["kind"] == kind and m["job"] == job), None)

    def hits(self, job: int) -> list[dict]:
        return [h for m in self.messages if m["kind"] == "hits" and m["job"] == job for h in m["hits"]]


def test_the_widget_searches_on_its_own_thread(client, monkeypatch) -> None:
    """The kernel's thread hands the search over and returns at once; results stream in after."""
    record_corpus(client)
    messages = Recorder(monkeypatch)
    release = threading.Event()
    real = request_module.open_search

    def held(*args, **kwargs):
        assert threading.current_thread() is not threading.main_thread()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(request_module, "open_search", held)
    widget = SearchWidget(client.store)
    try:
        job = widget.start("/challenge/", False, {"runs": ["ctf-a"], "types": [], "min_reward": ""})
        assert messages.find("done", job) is None  # start returned while the search is held
        release.set()
        done = messages.wait("done", job)
        assert done["more"] is False and done["note"] is None
        assert [(h["rn"], h["i"]) for h in messages.hits(job)] == [("wipe", 1), ("twice", 0), ("twice", 1)]
        hit = messages.hits(job)[0]
        assert hit["s"][hit["a"] : hit["b"]] == "/challenge/" == hit["m"]
    finally:
        widget.close()


def test_the_widget_pages_and_a_new_search_replaces_the_old(client, monkeypatch) -> None:
    r = client.rollout.create(run_name="many", rollout_name="m")
    for k in range(7):
        r.log(UserMessage(f"needle {k}"))
    client.rollout.flush()
    wait_indexed(client.store)
    monkeypatch.setattr(searchwidget, "PAGE", 3)
    monkeypatch.setattr(searchwidget, "HITS_PER_MESSAGE", 2)
    messages = Recorder(monkeypatch)
    widget = SearchWidget(client.store)
    try:
        first = widget.start("needle", False, {})
        assert messages.wait("done", first)["more"] is True
        assert [h["i"] for h in messages.hits(first)] == [0, 1, 2]
        second = widget.more()
        assert messages.wait("start", second)["append"] is True
        assert messages.wait("done", second)["more"] is True and [h["i"] for h in messages.hits(second)] == [3, 4, 5]
        third = widget.more()
        assert messages.wait("done", third)["more"] is False and [h["i"] for h in messages.hits(third)] == [6]
        assert widget.more() is None  # nothing more to ask for
        bad = widget.start("(", True, {})
        assert "missing )" in messages.wait("error", bad)["message"]  # said in the view, not raised
    finally:
        widget.close()


def test_a_result_opens_its_rollout_at_the_event(client) -> None:
    r = client.rollout.create(run_name="deep", rollout_name="d")
    for k in range(300):
        r.log(UserMessage(f"step {k}" + (" then flag{deep} appears" if k == 250 else "")))
    client.rollout.flush()
    browser = SearchBrowser(client.store, query="flag{")
    try:
        browser.search.choose(r.id, 250, "flag{")
        timeline = browser.slot.children[0]
        assert timeline.focus == {"i": 250, "q": "flag{"}
        page = timeline.first_page
        assert page["start"] <= 250 < page["end"] and any(e["i"] == 250 for e in page["events"])
        browser.search.choose(r.id, 250, "flag{")  # the same result again: opened again
        assert browser.slot.children[0] is not timeline
    finally:
        browser.close()


def test_dashboard_and_run_view_search_boxes(client) -> None:
    from openreward_nb.viz.dashboard import DashboardWidget
    from openreward_nb.viz.runview import RunBrowser

    record_corpus(client)
    dash = DashboardWidget(client)
    try:
        dash.open_search("/challenge/")
        found = dash.body.children[0]
        assert isinstance(found, SearchBrowser) and found.search.query == "/challenge/"
        assert "search" in dash.crumb.value
        dash.show_runs()
        assert dash.body.children == (dash.runs,)
    finally:
        dash.close()
    run = RunBrowser(client.runs.get("ctf-b"), live=False)
    try:
        run.search("flag")
        found = run.slot.children[0]
        assert isinstance(found, SearchBrowser) and found.search.filters == {"runs": ["ctf-b"]}
    finally:
        run.close()


def test_hostile_text_in_the_widget_payload_is_plain_data(tmp_path, monkeypatch) -> None:
    store = tmp_path / "hostile.sqlite"
    make_hostile_store(store)
    messages = Recorder(monkeypatch)
    widget = SearchWidget(openreward_nb.store.open_store(store, read_only=True))
    try:
        job = widget.start("onerror", False, {})
        messages.wait("done", job)
        snippets = [h["s"] for h in messages.hits(job)]
        assert snippets and all("onerror" in s for s in snippets)  # as stored: the browser shows it as text
        assert any(HOSTILE[:40] in s or "<img src=x onerror=" in s for s in snippets)
    finally:
        widget.close()
