"""A small harness for the browser tests: a Jupyter server on 127.0.0.1 and headless Chromium driving it.

The server (JupyterLab 4, or Notebook 7 when installed) gets throw-away config, settings and
runtime folders (autosave off, so the notebook file is never rewritten; windowing off, so
every cell is in the DOM). Chromium is Debian's, launched by Playwright with
``executable_path``; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def need(ok: bool, why: str) -> None:
    """Skip the test unless ``ok``; in CI fail instead (browser tests must run there)."""
    if not ok:
        from ..helpers import skip_unless_ci  # pytest is loaded only by tests, not by tools using this module

        skip_unless_ci(why)


def need_chromium() -> str:
    """The chromium to drive (see :func:`need`)."""
    found = chromium_path()
    need(found is not None, "no chromium at $OPENREWARD_NB_CHROMIUM or /usr/bin/chromium (apt-get install chromium)")
    assert found is not None
    return found


def chromium_path() -> str | None:
    """Debian's chromium (``$OPENREWARD_NB_CHROMIUM`` first), or None."""
    for candidate in (os.environ.get("OPENREWARD_NB_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``python -m jupyterlab`` (app="lab") or ``python -m notebook`` (app="notebook") serving ``root``."""

    def __init__(self, root: Path, app: str = "lab") -> None:
        self.root, self.app = root, app
        self.port, self.token = _free_port(), secrets.token_hex(12)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = root / f"{app}-server.log"

    def __enter__(self) -> JupyterServer:
        home = self.root / ".jupyter-home"
        settings = home / "settings"
        for plugin, values in _SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            JUPYTER_PLATFORM_DIRS="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        module, app_class = ("jupyterlab", "LabApp") if self.app == "lab" else ("notebook", "JupyterNotebookApp")
        cmd = [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--{app_class}.expose_app_in_browser=True",
            "--ServerApp.terminals_enabled=False",
        ]
        if self.app == "lab":
            cmd += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        self._wait_up(90)
        return self

    def _wait_up(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        raise RuntimeError(f"jupyter server did not come up: {self.log_tail()}")

    def url(self, notebook: str) -> str:
        """The page that opens ``notebook`` (a path under the root)."""
        where = "lab/tree" if self.app == "lab" else "notebooks"
        return f"{self.base}/{where}/{notebook}?reset&token={self.token}"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def __exit__(self, *exc: Any) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        import psutil

        children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        try:
            req = urllib.request.Request(f"{self.base}/api/shutdown?token={self.token}", method="POST", data=b"")
            urllib.request.urlopen(req, timeout=5).close()
            proc.wait(timeout=10)
        except Exception:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid in children:  # kernels started by this server that outlived it
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


_PANEL_STATE = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell && app.shell.currentWidget;
  if (!w || !w.sessionContext || !w.sessionContext.isReady) return 'loading';
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return k ? k.status : 'no kernel';
}"""
_RUN_STATE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  let pending = 0; const errors = [];
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    if (cell.model.sharedModel.getSource().trim() && cell.model.executionCount === null) pending += 1;
    for (const o of cell.model.outputs.toJSON())
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
  });
  return {status: w.sessionContext.session.kernel.status, pending, errors};
}"""


def run_all(page: Any, url: str, timeout: float = 120) -> None:
    """Open a notebook page, wait for its kernel, run every cell and wait until all ran; raise on a cell error."""
    page.goto(url, wait_until="domcontentloaded")
    deadline = time.monotonic() + timeout
    while page.evaluate(_PANEL_STATE) != "idle":
        accept = page.locator(".jp-Dialog .jp-mod-accept")  # a kernel picker, if one shows
        if accept.count():
            accept.first.click()
        if time.monotonic() > deadline:
            raise AssertionError(f"kernel not ready: {page.evaluate(_PANEL_STATE)}")
        page.wait_for_timeout(250)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_timeout(300)
    while True:
        state = page.evaluate(_RUN_STATE)
        if state["errors"]:
            raise AssertionError("; ".join(state["errors"]))
        if state["status"] == "idle" and state["pending"] == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"cells did not finish: {state}")
        page.wait_for_timeout(250)


_SAVED = """() => { const w = window.jupyterapp.shell.currentWidget;
  return !!w && !!w.context && !w.context.model.dirty; }"""


def save_and_shut_down(page: Any, timeout: float = 30) -> None:
    """Save the open notebook (outputs as they are; widget state not saved, as by default), then shut its
    kernel down: what a user does before closing for the day."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(_SAVED, timeout=timeout * 1000)
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    page.wait_for_timeout(500)


def open_without_running(page: Any, url: str, settle_ms: int = 4000, timeout: float = 90) -> None:
    """Open a saved notebook as a reader would: a fresh kernel, nothing executed; wait for it to settle."""
    page.goto(url, wait_until="domcontentloaded")
    deadline = time.monotonic() + timeout
    while page.evaluate(_PANEL_STATE) not in ("idle", "no kernel"):
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.first.click()
        if time.monotonic() > deadline:
            raise AssertionError(f"notebook not ready: {page.evaluate(_PANEL_STATE)}")
        page.wait_for_timeout(250)
    page.wait_for_timeout(settle_ms)
