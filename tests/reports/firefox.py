"""Debian's Firefox (``firefox-esr``), headless, driven over WebDriver BiDi, the protocol it speaks itself.

Playwright drives only its own Firefox build (its "moz-firefox" BiDi channel asks this one for a command
it lacks), so this is a small BiDi client of our own: open a page, evaluate script in it, and see every
request it makes, each one failed unless it is the page's own file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ..viz.browser import need


def firefox_path() -> str | None:
    """Debian's Firefox (``$OPENREWARD_NB_FIREFOX`` first), or None."""
    for candidate in (os.environ.get("OPENREWARD_NB_FIREFOX"), "/usr/bin/firefox-esr", "/usr/bin/firefox"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Firefox:
    """One headless Firefox with one tab; ``requests`` lists every request the page tried to make."""

    def __init__(self) -> None:
        found = firefox_path()
        need(
            found is not None,
            "no Firefox at $OPENREWARD_NB_FIREFOX or /usr/bin/firefox-esr (apt-get install firefox-esr)",
        )
        assert found is not None
        self.profile = tempfile.mkdtemp(prefix="orw-firefox-")
        self.proc = subprocess.Popen(
            [found, "--headless", "--no-remote", "--profile", self.profile, "--remote-debugging-port=0", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "MOZ_HEADLESS": "1"},
        )
        self.requests: list[str] = []
        self.logs: list[str] = []
        self._next = 0
        self.own: str | None = None
        try:
            self._ws = self._connect(self._listening_on(60))
            self.call("session.new", capabilities={})
            self.context = self.call("browsingContext.getTree")["contexts"][0]["context"]
            self.call("session.subscribe", events=["network.beforeRequestSent", "log.entryAdded"])
            self.call("network.addIntercept", phases=["beforeRequestSent"])
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
            raise

    def _listening_on(self, seconds: float) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            found = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            if found:
                return found.group(1)
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError("Firefox did not start its WebDriver BiDi server")

    @staticmethod
    def _connect(url: str) -> Any:
        import websocket

        return websocket.create_connection(url.rstrip("/") + "/session", timeout=60, suppress_origin=True)

    def call(self, method: str, **params: Any) -> Any:
        """Send one command; handle the events that arrive meanwhile; its result."""
        self._next += 1
        ask = self._next
        self._ws.send(json.dumps({"id": ask, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == ask:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        params = message.get("params") or {}
        if message.get("method") == "network.beforeRequestSent":
            url = params["request"]["url"]
            self.requests.append(url)
            if params.get("isBlocked"):
                mine = self.own is not None and url.split("#")[0] == self.own
                action = "network.continueRequest" if mine else "network.failRequest"
                self._ws.send(
                    json.dumps({"id": 0, "method": action, "params": {"request": params["request"]["request"]}})
                )
        elif message.get("method") == "log.entryAdded":
            self.logs.append(f"{params.get('level')}: {params.get('text')}")

    def open(self, path: Path) -> None:
        self.own = path.resolve().as_uri()
        self.call("browsingContext.navigate", context=self.context, url=self.own, wait="complete")

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (awaited when a promise), as plain JSON."""
        result = self.call(
            "script.evaluate",
            expression=f"(async () => JSON.stringify(await ({expression})))()",
            target={"context": self.context},
            awaitPromise=True,
        )
        if result.get("type") == "exception":
            raise RuntimeError(result["exceptionDetails"]["text"])
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def wait_for(self, condition: str, timeout: float = 15) -> None:
        """Until ``condition`` (a JS expression) is true in the page."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"!!({condition})"):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {condition}; log: {self.logs}")
            time.sleep(0.1)

    def foreign_requests(self) -> list[str]:
        """Requests but the page's own file. ``data:`` URLs leave nothing: Firefox's own stylesheet loads
        its bullet font (the marker of ``<details>``) as one, whatever the page's policy says."""
        return [u for u in self.requests if u.split("#")[0] != self.own and not u.startswith("data:")]

    def close(self) -> None:
        try:
            self.call("browser.close")
            self._ws.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
