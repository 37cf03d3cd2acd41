"""Hostile content for the views, arriving the ways it really can: through ``POST /v1/rollouts`` of the
ingest server (every field the wire carries) and written straight into a store's tables (ids an older
store may hold, whatever the server accepts today). Plus the checks every view must pass on it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from openreward_nb import OpenReward, ReasoningItem, ToolCall, UserMessage

from ..upload.support import Server

#: the variable a script that ran would set (the browser test asserts it stays unset)
SENTINEL = "__orw_pwned"
#: one of each way in: markup, an event handler, an attribute breaker, script URLs (plain and as a
#: markdown link), terminal escapes (title, clear screen, a C1 control), bidi overrides and a
#: zero-width space, a line break
PARTS = (
    f'<script>window.{SENTINEL}="script"</script>',
    f"<img src=x onerror=\"window.{SENTINEL}='img'\">",
    f"\"'><svg onload=\"window.{SENTINEL}='attr'\"></svg>",
    f"javascript:window.{SENTINEL}='url'",
    f"[link](javascript:window.{SENTINEL}='md')",
    "\x1b]0;pwned\x07\x1b[2J\x9b31m",
    "\u202egnp.exe\u2066x\u2069\u200b",
    "line\nbreak",
)
HOSTILE = " ".join(PARTS)


def hostile(field: str) -> str:
    """Hostile text tagged with the field it goes into."""
    return f"{field}|{HOSTILE}"


def hostile_id(tag: str) -> str:
    """A rollout id full of hostile text (at most 256 characters): the ingest server refuses it (ids from
    the wire keep to ``limits.ID_CHARS``), an older store may still hold one."""
    text = f'{tag}"\'><img src=x onerror="window.{SENTINEL}=1"><script>window.{SENTINEL}=2</script>\x1b]0;t\x07\u202e\u200b\nid'
    assert len(text) <= 256
    return text


def _ms(offset: int = 0) -> int:
    return int(time.time() * 1000) + offset


def wire_batch(rid: str, run: str) -> dict[str, Any]:
    """One request body: a rollout whose every text field is hostile, and one event of each type."""
    meta = {hostile("meta-key"): hostile("meta-value"), "model": hostile("model")}
    start = {
        "eventType": "rollout",
        "eventId": rid,
        "timestamp": _ms(),
        "runName": run,
        "rolloutName": hostile("rollout-name"),
        "environment": hostile("environment"),
        "variant": hostile("variant"),
        "split": hostile("split"),
        "metadata": meta,
        "task_spec": {hostile("task-key"): hostile("task")},
        "rollout_info": {"task_index": 0, "note": hostile("info")},
    }
    bodies = [
        {"type": "system_message", "content": hostile("system")},
        {"type": "user_message", "content": hostile("user")},
        {"type": "reasoning", "content": hostile("thinking"), "summary": hostile("summary")},
        {"type": "reasoning", "content": hostile("thinking-only")},
        {
            "type": "tool_call",
            "name": hostile("tool"),
            "callId": hostile("call"),
            "content": json.dumps({"cmd": hostile("cmd")}),
        },
        {"type": "tool_call", "name": "bash", "callId": "c2", "content": hostile("args")},
        {"type": "tool_result", "callId": hostile("call"), "content": hostile("result"), "reward": 0.0},
        {"type": "assistant_message", "content": hostile("assistant"), "reward": 1.0, "isFinished": True},
    ]
    messages = [
        {
            "eventType": "message",
            "eventId": f"{rid}-{i}",
            "timestamp": _ms(i + 1),
            "index": i,
            "rolloutEventId": rid,
            "isFinished": False,
            "metadata": {hostile("event-meta-key"): hostile("event-meta")},
            **fields,
        }
        for i, fields in enumerate(bodies)
    ]
    return {"events": [start, *messages]}


def post_hostile(server: Any) -> list[str]:
    """Send hostile rollouts through ``server`` (tests/upload/support.Server); their ids.

    Every other field is hostile; a hostile id is refused whole (nothing of its batch kept), so the
    ids sent are plain and :data:`OLD_IDS` plants hostile ones in the tables instead.
    """
    refused = server.post(wire_batch(hostile_id("wire-refused"), hostile("run-refused")))
    assert refused.status_code == 422 and "eventId" in refused.text, refused.text
    ids = [f"wire-a-{uuid.uuid4()}", f"wire-b-{uuid.uuid4()}"]
    for k, rid in enumerate(ids):
        answer = server.post(wire_batch(rid, hostile(f"run{k}")))
        assert answer.status_code == 200, answer.text
    return ids


#: ids an older store may hold although the server refuses them now: markup, escapes, bidi and a
#: newline; longer than the bound; a carriage return and a NUL-free control soup
OLD_IDS = (
    hostile_id("old"),
    "old-" + "<script>window.__orw_pwned='old'</script>" * 8,
    "old-\r\n\x1b[31m\x9b\u202e<img src=x onerror=window.__orw_pwned=3>",
    "old-\"'></code><b onmouseover=window.__orw_pwned=4>x</b>",
)


def plant_old_ids(store_path: Path, current: list[str]) -> list[str]:
    """Give the rollouts ``current`` the :data:`OLD_IDS` (and their events), writing the store's tables directly."""
    con = sqlite3.connect(store_path)
    try:
        for old, new in zip(current, OLD_IDS, strict=True):
            con.execute("UPDATE rollouts SET id = ? WHERE id = ?", (new, old))
            con.execute("UPDATE events SET rollout_id = ? WHERE rollout_id = ?", (new, old))
        con.commit()
    finally:
        con.close()
    return list(OLD_IDS)


def make_hostile_store(path: Path) -> list[str]:
    """A store holding hostile rollouts sent through the ingest server, and rollouts whose ids were then
    rewritten in its tables to ids the server would refuse; every id."""
    with Server(str(path)) as server:
        wire = post_hostile(server)
    client = OpenReward(store=path)
    made = []
    for k in range(len(OLD_IDS)):
        r = client.rollout.create(run_name=hostile("old-run"), rollout_name=hostile(f"old{k}"))
        r.log(UserMessage(hostile("old-user")))
        r.log(ReasoningItem(content=hostile("old-thinking")))
        r.log(ToolCall(name=hostile("old-tool"), content="{}", call_id=hostile("old-call")), reward=0.5)
        r.finish()
        made.append(r.id)
    client.close()
    return wire + plant_old_ids(path, made)


# --- checks -----------------------------------------------------------------------------------
#: every element our static HTML is made of (markdown-it's output included)
STATIC_TAGS = frozenset(
    "style div b code span details summary pre p strong em a table thead tbody tr th td ul ol li br hr "
    "h1 h2 h3 h4 h5 h6 blockquote svg rect line text title polygon polyline circle".split()
)
STATIC_ATTRS = frozenset(
    "class style href target rel width height viewbox role x y x1 x2 y1 y2 cx cy r points text-anchor "
    "stroke opacity start".split()
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_static_html(html: str, *texts: str) -> None:
    """No element or attribute in ``html`` came from content: every tag and attribute is one the static
    renderer makes, no attribute holds content, links are http(s); ``texts`` appear as text."""
    parsed = _Elements()
    parsed.feed(html)
    parsed.close()
    for tag, attrs in parsed.elements:
        assert tag in STATIC_TAGS, f"element <{tag}> came from content"
        for name, value in attrs:
            assert name in STATIC_ATTRS, f"attribute {name}= on <{tag}> came from content"
            assert SENTINEL not in (value or ""), f"content inside {name}= of <{tag}>"
            if name == "href":
                assert (value or "").startswith(("https:", "http:", "mailto:")), value
    assert sum(1 for tag, _ in parsed.elements if tag == "style") == 1
    shown = "".join(parsed.text)
    for text in texts:
        assert text.replace("\r", "") in shown.replace("\r", ""), f"{text!r} is not shown as text"


#: what must never reach a terminal: C0 controls but tab and newline, DEL, C1, bidi controls, zero-width characters
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def check_terminal(text: str) -> None:
    """``text`` holds no escape, control, bidi or zero-width character."""
    found = TERMINAL_UNSAFE.search(text)
    assert found is None, (
        f"{found.group()!r} reached the terminal in: {text[max(0, found.start() - 80) : found.end() + 40]!r}"
    )
