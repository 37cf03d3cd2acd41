"""The ``openreward-nb`` command.

Each subcommand lives in its own module here and exposes ``register(subparsers)``, which
adds its parser and sets ``handler`` (a function of the parsed args returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Optional

from ..errors import OpenRewardNBError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="openreward-nb", description="Record LLM-agent rollouts and inspect them, in Jupyter or here."
    )
    parser.add_argument(
        "--store", help="store file or URL (default: $OPENREWARD_NB_STORE, else .openreward_nb/store.sqlite)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``openreward-nb`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (OpenRewardNBError, ValueError, TypeError, LookupError) as exc:
        print(f"openreward-nb {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
