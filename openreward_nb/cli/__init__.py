"""The ``openreward-nb`` command.

Each subcommand lives in its own module here and exposes ``register(subparsers)``, which
adds its parser and sets ``handler`` (a function of the parsed args returning an exit code).
A handler raises the package's own errors (:class:`~openreward_nb.errors.OpenRewardNBError`)
for what the user can fix: :class:`~openreward_nb.errors.InvalidArgumentError` is reported
as argparse reports a bad argument (usage, exit 2), the others as one line (exit 1).
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from ..errors import InvalidArgumentError, OpenRewardNBError
from ..safe_text import terminal_block


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="openreward-nb", description="Record LLM-agent rollouts and inspect them, in Jupyter or here."
    )
    parser.add_argument(
        "--store",
        help="store file or URL (default: $OPENREWARD_NB_STORE, else the nearest .openreward_nb/ "
        "in this folder or its parents, else ./.openreward_nb/store.sqlite)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    parser.set_defaults(command_parsers=sub.choices)  # each command's parser, for its usage line
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``openreward-nb`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InvalidArgumentError as exc:
        parser: argparse.ArgumentParser = args.command_parsers[args.command]
        parser.error(terminal_block(exc))  # exits 2, as argparse does
    except OpenRewardNBError as exc:
        print(f"openreward-nb {args.command}: {terminal_block(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
