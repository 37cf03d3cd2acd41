"""``openreward-nb demo``: run the quickstart agent headless on the store and say where to look."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..counts import count
from ._args import at_least
from ._text import emit, header

DEMO_NOTEBOOK = "openreward_nb_demo.ipynb"
QUICKSTART = Path("notebooks", "01_quickstart.ipynb")
#: JupyterLab refuses to start as root without it (containers, CI): the hint must work where printed
ROOT_FLAG = " --allow-root" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the quickstart agent (offline unless OPENAI_API_KEY is set) and record it",
        description="Runs the OpenReward tutorial's CTF agent (OpenAI Responses with tools) on a few tasks of "
        "the offline demo environment, recording every step into the store.",
    )
    p.add_argument("--run-name", default="quickstart", help="run name (default: quickstart)")
    p.add_argument("--tasks", type=at_least(1), default=3, help="episodes to record (default: 3)")
    p.add_argument("--model", help="model name (default: demo-strong offline, gpt-5.4 with OPENAI_API_KEY)")
    p.add_argument("--open", action="store_true", help=f"then write {DEMO_NOTEBOOK} and open it in JupyterLab")
    p.add_argument("--report", help="where to write the run's report (default: RUN-report.html beside the store file)")
    p.set_defaults(handler=_run_demo)


def _notebook(store_url: str, run_name: str, rollout_id: str) -> dict[str, Any]:
    def cell(source: str) -> dict[str, Any]:
        return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}

    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [
            cell(f"from openreward_nb import OpenReward\nclient = OpenReward(store={store_url!r})"),
            cell(f"client.rollouts.get({rollout_id!r})"),
            cell(f"client.runs.get({run_name!r})"),
        ],
    }


def quickstart_notebook() -> str | None:
    """The quickstart notebook as a path to type here: in the working directory, or this checkout's."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = root / QUICKSTART
        if found.is_file():
            return shlex.quote(os.path.relpath(found) if found.is_relative_to(Path.cwd()) else str(found))
    return None


def notebook_hints(command: str) -> list[str]:
    """How to see the run in JupyterLab from here, each hint a command that works as printed."""
    from ..extras import install_hint
    from ..hints import program

    notebook = quickstart_notebook()
    lab = f"{program('jupyter')} lab{ROOT_FLAG} {notebook}" if notebook else f"{command} demo --open"
    what = "the same agent in a notebook, with the timeline widget" if notebook else "this run in a notebook"
    hints = []
    if importlib.util.find_spec("jupyterlab") is None or importlib.util.find_spec("ipykernel") is None:
        hints.append(f"{install_hint('jupyter')}   # JupyterLab and a kernel, then:")
    return [*hints, f"{lab}   # {what}"]


def write_report(client: Any, run_name: str, path: str | None) -> str:
    """Write the run's report (beside a SQLite store file, or here); its path as a person types it."""
    from ..store.sqlite import SQLiteStore

    if path is None:
        folder = client.store.path.parent if isinstance(client.store, SQLiteStore) else Path.cwd()
        path = str(folder / f"{re.sub(r'[^A-Za-z0-9._-]', '_', run_name)}-report.html")
    done = client.runs.get(run_name).to_html(path)
    return os.path.relpath(done.path) if done.path.is_relative_to(Path.cwd()) else str(done.path)


def _run_demo(args: argparse.Namespace) -> int:
    from .. import OpenReward
    from ..demo.quickstart import run_quickstart
    from ..extras import needs_extra
    from ..hints import openreward_nb_command
    from ..safe_text import terminal_line

    client = OpenReward(store=args.store)
    rollouts = run_quickstart(client, run_name=args.run_name, tasks=args.tasks, model=args.model)
    client.close()
    emit(f"recorded {count(len(rollouts), 'rollout')} into run {terminal_line(args.run_name)!r}")
    emit(header(client.store) + "\n")
    for rollout in rollouts:
        rec = client.rollouts.get(rollout.id)
        reward = "-" if rec.total_reward is None else f"{rec.total_reward:g}"
        emit(
            f"  {terminal_line(rec.rollout_name):<10} {terminal_line(rec.id)}  {count(rec.n_events, 'event'):>10}"
            f"  {count(rec.n_tool_calls, 'tool call'):>13}  reward {reward}"
        )
    written = write_report(client, args.run_name, args.report)
    emit(f"\nreport: {terminal_line(written)}   # the run as one HTML file: open it in any browser, no Jupyter needed")
    last = client.rollouts.get(rollouts[0].id)
    command = openreward_nb_command()
    store = f" --store {shlex.quote(args.store)}" if args.store else ""
    reference = shlex.quote(f"{last.run_name}/{last.rollout_name}")
    hints = [
        f"{command}{store} show {reference}   # one rollout as a timeline",
        f"{command}{store} rollouts {shlex.quote(args.run_name)}   # the run's rollouts",
        f"{command}{store} search 'flag{{' --run {shlex.quote(args.run_name)}   # every event that mentions it",
    ]
    if len(rollouts) >= 2:
        first, second = (shlex.quote(r.id) for r in rollouts[:2])
        hints.append(f"{command}{store} diff {first} {second}   # where two attempts parted, step by step")
    hints += notebook_hints(command)
    emit("\nwhere to look:\n" + "\n".join(f"  {line}" for line in hints))
    if args.open:
        with needs_extra("jupyter", "Opening the demo in JupyterLab"):
            importlib.import_module("jupyterlab")
        path = os.path.abspath(DEMO_NOTEBOOK)
        with open(path, "w") as f:
            json.dump(_notebook(client.store.url, args.run_name, last.id), f, indent=1)
        emit(f"\nopening {terminal_line(path)} in JupyterLab")
        return subprocess.call([sys.executable, "-m", "jupyterlab", *ROOT_FLAG.split(), path])
    return 0
