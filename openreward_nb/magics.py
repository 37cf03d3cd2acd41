"""``%%rollout`` and ``%rollout_config``: record every provider SDK call made in a notebook cell.

A ``%%rollout`` cell is rewritten before it runs (an IPython input transformer) so its
body runs as ordinary cell code, top-level ``await`` included: the first line starts the
rollout and the capture scope, and IPython's ``post_run_cell`` event ends them. Calling
the magic directly (``run_cell_magic``) runs the body through ``shell.run_cell``.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .client import OpenReward

_CLIENTS: dict[str, OpenReward] = {}


def _client(store: str | None) -> OpenReward:
    from .store.location import resolve_store_url

    url = resolve_store_url(store)
    if url not in _CLIENTS:
        _CLIENTS[url] = OpenReward(store=url)
    return _CLIENTS[url]


def _unquote(text: str) -> str:
    """The text without one pair of surrounding quotes (IPython's argument splitting keeps them)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _value(text: str) -> Any:
    """A --meta value: JSON when it parses (numbers, true, lists), else the text itself."""
    text = _unquote(text)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _pairs(items: list[str], option: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} expects key=value, got {item!r}")
        out[key] = _value(value)
    return out


def notebook_name(shell: Any) -> str | None:
    """The running notebook's file name without extension, when the front end tells us."""
    path = shell.user_ns.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME")
    if not path:
        return None
    base = os.path.basename(str(path))
    return os.path.splitext(base)[0] or None


@dataclass
class _Cell:
    """The rollout a running %%rollout cell records into."""

    rollout: Any
    capture: Any
    quiet: bool


@magics_class
class RolloutMagics(Magics):
    """The %%rollout cell magic and the %rollout_config line magic."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        #: session defaults set by %rollout_config
        self.defaults: dict[str, Any] = {}
        self._cell: _Cell | None = None

    # --- %%rollout -----------------------------------------------------------------------
    @magic_arguments()
    @argument("run", nargs="?", help="run name (default: %%rollout_config run=..., else the notebook's name)")
    @argument("--name", help="rollout name (default: episode-N, numbered per run)")
    @argument("--env", help="environment, e.g. GeneralReasoning/CTF")
    @argument("--split", help="split, e.g. train")
    @argument(
        "--meta",
        action="append",
        default=[],
        metavar="K=V",
        help="metadata entry (repeatable); values parse as JSON when they can",
    )
    @argument("--task", metavar="JSON", help="task spec as a JSON object")
    @argument("--as", dest="var", metavar="VAR", help="name of the live Rollout in the cell (default: rollout)")
    @argument("--no-capture", action="store_true", help="do not record SDK calls; log explicitly through the rollout")
    @argument("--quiet", action="store_true", help="print a one-line summary instead of the timeline")
    @argument(
        "--store", metavar="URL", help="store file or URL (default: %%rollout_config store=..., else the default store)"
    )
    @cell_magic
    def rollout(self, line: str, cell: str) -> None:
        """Record every openai / anthropic / google-genai call made in this cell as one rollout.

        The input messages not yet in the rollout, each output, the model, token usage,
        latency and request parameters are logged; re-sent chat history is stored once.
        Inside the cell, ``rollout`` (or the name given with --as) is the live Rollout:
        explicit ``rollout.log_*`` calls of messages already captured attach their reward,
        is_finished and metadata to the captured event instead of logging it twice. At the
        end of the cell the rollout is finished (failed, with the traceback, if the cell
        raised), flushed, and its timeline is shown below the cell.
        """
        self.begin(line)
        self.shell.run_cell(cell)

    def begin(self, line: str) -> None:
        """Start the rollout (and capture) for the cell about to run."""
        if self._cell is not None:
            self.end(None)
        args = parse_argstring(self.rollout, line)  # bad options raise UsageError with argparse's message
        cfg = self.defaults
        run = args.run or cfg.get("run") or notebook_name(self.shell) or "notebook"
        task = None
        if args.task:
            try:
                task = json.loads(_unquote(args.task))
            except ValueError as exc:
                raise UsageError(f"--task must be a JSON object: {exc}") from None
            if not isinstance(task, dict):
                raise UsageError(f"--task must be a JSON object, got {type(task).__name__}")
        metadata = {**cfg.get("meta", {}), **_pairs(args.meta, "--meta")}
        client = _client(args.store or cfg.get("store"))
        name = args.name or f"episode-{self._count(client, run)}"
        rollout = client.rollout.create(
            run_name=run,
            rollout_name=name,
            environment=args.env or cfg.get("env"),
            split=args.split or cfg.get("split"),
            metadata=metadata or None,
            task_spec=task,
        )
        self.shell.user_ns[args.var or cfg.get("as") or "rollout"] = rollout
        capture = None
        if not (args.no_capture or cfg.get("capture") is False):
            from .capture import Capture

            capture = Capture(rollout)
            capture.__enter__()
        self._cell = _Cell(rollout, capture, bool(args.quiet or cfg.get("quiet")))

    @staticmethod
    def _count(client: OpenReward, run: str) -> int:
        client.rollout.flush()
        rows = client.store.list_runs(run)
        return rows[0]["n_rollouts"] if rows else 0

    def end(self, error: BaseException | None) -> None:
        """Close the capture, finish and flush the rollout, and show it."""
        cell, self._cell = self._cell, None
        if cell is None:
            return
        try:
            if cell.capture is not None:
                cell.capture.__exit__(None, None, None)
        finally:
            cell.rollout.finish(error)
        cell.rollout.flush()
        from IPython.display import display

        if cell.quiet:
            print(_summary(cell.rollout.record()))
        else:
            display(cell.rollout)

    def post_run_cell(self, result: Any) -> None:
        """IPython event: the cell finished (or raised)."""
        if self._cell is None:
            return
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        try:
            self.end(error)
        except Exception as exc:
            print(f"openreward_nb: could not finish the rollout: {exc}")

    # --- %rollout_config -----------------------------------------------------------------
    @line_magic
    def rollout_config(self, line: str) -> None:
        """Session defaults for %%rollout: ``%rollout_config run=NAME store=URL env=E split=S
        meta.K=V as=VAR capture=false quiet=true``; ``reset`` clears them; no arguments shows them."""
        values = self.defaults
        words = shlex.split(line)
        if not words:
            print(json.dumps(values, indent=2) if values else "no %rollout_config defaults set")
            return
        if words == ["reset"]:
            values.clear()
            return
        known = {"run", "store", "env", "split", "as", "capture", "quiet"}
        for word in words:
            key, sep, value = word.partition("=")
            if not sep:
                raise UsageError(f"%rollout_config expects key=value, got {word!r}")
            if key.startswith("meta."):
                values.setdefault("meta", {})[key[5:]] = _value(value)
            elif key in ("capture", "quiet"):
                if value.lower() not in ("true", "false"):
                    raise UsageError(f"{key} must be true or false, got {value!r}")
                values[key] = value.lower() == "true"
            elif key in known:
                values[key] = value
            else:
                raise UsageError(f"unknown %rollout_config key {key!r}; known: {', '.join(sorted(known))}, meta.KEY")


def _summary(record: Any) -> str:
    reward = "-" if record.total_reward is None else f"{record.total_reward:g}"
    return (
        f"rollout {record.rollout_name or record.id} ({record.id[:8]}, run {record.run_name!r}): {record.status}, "
        f"{record.n_events} events, {record.n_tool_calls} tool calls, reward {reward}"
    )


def _cell_transformer():
    """Rewrite a ``%%rollout`` cell so its body runs as the cell itself (top-level await works)."""

    def transform(lines: list[str]) -> list[str]:
        if not lines:
            return lines
        first = lines[0]
        stripped = first.lstrip()
        if not (stripped.startswith("%%rollout") and (len(stripped) == 9 or stripped[9] in " \t\n")):
            return lines
        args = stripped[9:].strip()
        if args.endswith("?"):
            return lines  # help: leave it to IPython
        begin = f"get_ipython().magics_manager.registry['RolloutMagics'].begin({args!r})\n"
        return [begin, *lines[1:]]

    return transform


def load(shell: Any) -> RolloutMagics:
    """Register the magics, the cell transformer and the end-of-cell hook on ``shell`` (idempotent)."""
    existing = shell.magics_manager.registry.get("RolloutMagics")
    if existing is not None:
        return existing
    magics = RolloutMagics(shell)
    shell.register_magics(magics)
    shell.input_transformers_cleanup.append(_cell_transformer())
    shell.events.register("post_run_cell", magics.post_run_cell)
    return magics
