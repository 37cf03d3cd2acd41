"""``openreward-nb demo``: run the quickstart agent headless on the store and say where to look."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys

DEMO_NOTEBOOK = "openreward_nb_demo.ipynb"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the quickstart agent (offline unless OPENAI_API_KEY is set) and record it",
        description="Runs the OpenReward tutorial's CTF agent (OpenAI Responses with tools) on a few tasks of "
        "the offline demo environment, recording every step into the store.",
    )
    p.add_argument("--run-name", default="quickstart", help="run name (default: quickstart)")
    p.add_argument("--tasks", type=int, default=3, help="episodes to record (default: 3)")
    p.add_argument("--model", help="model name (default: demo-strong offline, gpt-5.4 with OPENAI_API_KEY)")
    p.add_argument("--open", action="store_true", help=f"then write {DEMO_NOTEBOOK} and open it in JupyterLab")
    p.set_defaults(handler=_run_demo)


def _notebook(store_url: str, run_name: str, rollout_id: str) -> dict:
    def cell(source: str) -> dict:
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


def _run_demo(args: argparse.Namespace) -> int:
    from .. import OpenReward
    from ..demo.quickstart import run_quickstart

    if args.tasks < 1:
        raise ValueError(f"--tasks must be at least 1, got {args.tasks}")
    client = OpenReward(store=args.store)
    rollouts = run_quickstart(client, run_name=args.run_name, tasks=args.tasks, model=args.model)
    client.close()
    print(f"recorded {len(rollouts)} rollouts into run {args.run_name!r} of {client.store.url}\n")
    for rollout in rollouts:
        rec = client.rollouts.get(rollout.id)
        reward = "-" if rec.total_reward is None else f"{rec.total_reward:g}"
        print(
            f"  {rec.rollout_name:<10} {rec.id}  {rec.n_events:>3} events  {rec.n_tool_calls:>2} tool calls  reward {reward}"
        )
    first = rollouts[0].id
    store = ["--store", args.store] if args.store else []
    print("\nwhere to look:")
    print(f"  openreward-nb {' '.join(store + ['show', first[:8]])}        # one rollout as a timeline")
    print(f"  openreward-nb {' '.join(store + ['rollouts', args.run_name])}   # the run's rollouts")
    print("  jupyter lab notebooks/01_quickstart.ipynb   # the same agent in a notebook, with the timeline widget")
    if args.open:
        if importlib.util.find_spec("jupyterlab") is None:
            raise LookupError("--open needs JupyterLab: pip install jupyterlab")
        path = os.path.abspath(DEMO_NOTEBOOK)
        with open(path, "w") as f:
            json.dump(_notebook(client.store.url, args.run_name, first), f, indent=1)
        print(f"\nopening {path} in JupyterLab")
        return subprocess.call([sys.executable, "-m", "jupyterlab", path])
    return 0
