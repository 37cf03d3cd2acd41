"""The timeline's kernel side in a real kernel: live updates from another process and from the kernel's
own busy cell, page requests answered over the widget's comm, and a view as two outputs: the static
bundle, then the widget.
"""

from __future__ import annotations

import queue
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from ..helpers import PYTHON, subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

WRITER = """
import sys, time
from openreward_nb import OpenReward, AssistantMessage
client = OpenReward(store=sys.argv[1])
r = client.rollout.create(run_name="other-process", rollout_name="remote")
r.log(AssistantMessage("hello from far away"))
client.rollout.flush()
print(r.id, flush=True)
sys.stdin.readline()  # wait until the kernel shows it
for i in range(5):
    time.sleep(0.2)
    r.log(AssistantMessage(f"remote {i}"), reward=1.0, is_finished=(i == 4))
r.finish()
client.close()
"""


class Kernel:
    """A real IPython kernel with a reader of its iopub messages."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=subprocess_env())

    def execute(self, code: str, timeout: float = 60) -> list[dict]:
        """Run ``code``; every iopub message until the kernel is idle again (raises on an error)."""
        msg_id = self.kc.execute(textwrap.dedent(code))
        return self.collect(
            lambda m: (
                m["parent_header"].get("msg_id") == msg_id
                and m["msg_type"] == "status"
                and m["content"]["execution_state"] == "idle"
            ),
            timeout,
        )

    def collect(self, until, timeout: float) -> list[dict]:
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            out.append(msg)
            if msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            if until(msg):
                return out
        raise AssertionError(f"timed out; last messages: {[m['msg_type'] for m in out[-5:]]}")

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path: Path):
    k = Kernel(tmp_path)
    yield k
    k.close()


def appended(msgs: list[dict], comm_id: str) -> list[int]:
    """Indices of the events the kernel pushed to the view ("append" custom messages)."""
    return [
        ev["i"]
        for m in msgs
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == comm_id
        and m["content"]["data"].get("method") == "custom"
        and m["content"]["data"]["content"].get("kind") == "append"
        for ev in m["content"]["data"]["content"]["events"]
    ]


WIDGET = "application/vnd.jupyter.widget-view+json"


def view_outputs(msgs: list[dict]) -> tuple[dict, dict]:
    """The data of a view's two outputs: (the static bundle, the widget's)."""
    shown = [m["content"]["data"] for m in msgs if m["msg_type"] in ("display_data", "execute_result")]
    statics = [d for d in shown if "text/html" in d]
    live = [d for d in shown if WIDGET in d]
    assert len(statics) == 1 and len(live) == 1, [sorted(d) for d in shown]
    assert shown.index(statics[0]) == shown.index(live[0]) - 1  # the widget is the very next output
    return statics[0], live[0]


def state_updates(msgs: list[dict], comm_id: str) -> list[dict]:
    return [
        m["content"]["data"]["state"]
        for m in msgs
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == comm_id
        and m["content"]["data"].get("method") == "update"
    ]


def test_live_from_another_process_and_page_requests(kernel: Kernel, tmp_path: Path) -> None:
    store = tmp_path / "live.sqlite"
    writer = subprocess.Popen(
        [PYTHON, "-c", WRITER, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        rollout_id = writer.stdout.readline().strip()
        msgs = kernel.execute(f"""
            from openreward_nb import OpenReward
            record = OpenReward(store={str(store)!r}).rollouts.get({rollout_id!r})
            record  # shown as a cell's last value: the timeline widget, following the rollout
        """)
        static, live = view_outputs(msgs)
        assert set(static) == {"text/plain", "text/html"} and 'class="orws-paired"' in static["text/html"]
        assert "hello from far away" in static["text/html"] and set(live) == {WIDGET, "text/plain"}
        comm_id = live[WIDGET]["model_id"]
        opened = next(m for m in msgs if m["msg_type"] == "comm_open" and m["content"]["comm_id"] == comm_id)
        state = opened["content"]["data"]["state"]
        assert state["live"] is True and state["total"] == 1 and len(state["first_page"]["events"]) == 1

        writer.stdin.write("go\n")
        writer.stdin.flush()
        msgs = kernel.collect(lambda m: any(s.get("live") is False for s in state_updates([m], comm_id)), timeout=30)
        assert appended(msgs, comm_id) == [1, 2, 3, 4, 5]
        totals = [s["total"] for s in state_updates(msgs, comm_id) if "total" in s]
        assert totals[-1] == 6 and totals == sorted(totals)

        # the browser asks for a page: the kernel answers on the same comm
        kernel.kc.session.send(
            kernel.kc.shell_channel.socket,
            "comm_msg",
            {
                "comm_id": comm_id,
                "data": {"method": "custom", "content": {"kind": "page", "req": 7, "start": 2, "limit": 3}},
            },
        )
        reply = kernel.collect(
            lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("content", {}).get("req") == 7, 15
        )[-1]
        page = reply["content"]["data"]["content"]
        assert [e["i"] for e in page["events"]] == [2, 3, 4] and (page["start"], page["end"]) == (2, 5)
    finally:
        writer.wait(timeout=30)


def test_live_while_this_kernel_records_in_a_busy_cell(kernel: Kernel, tmp_path: Path) -> None:
    msgs = kernel.execute(f"""
        import time
        from openreward_nb import OpenReward, AssistantMessage, UserMessage
        client = OpenReward(store={str(tmp_path / "busy.sqlite")!r})
        rollout = client.rollout.create(run_name="busy")
        rollout.log(UserMessage("go"))
        rollout.show()
        for i in range(6):  # the cell keeps the kernel busy while the events arrive
            time.sleep(0.3)
            rollout.log(AssistantMessage(f"step {{i}}"))
        time.sleep(1.2)
    """)
    comm_id = view_outputs(msgs)[1][WIDGET]["model_id"]
    pushed = appended(msgs, comm_id)
    assert pushed == [1, 2, 3, 4, 5, 6]  # all pushed before the cell finished
