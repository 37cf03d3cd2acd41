"""The ``openreward-nb`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from ..errors import OpenRewardNBError

# subcommand name -> module under openreward_nb.cli
COMMANDS = {
    "demo": "demo",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openreward-nb", description="Record LLM-agent rollouts and inspect them, in Jupyter or here."
    )
    parser.add_argument("--store", help="store file or URL (default: $OPENREWARD_NB_STORE or .openreward_nb/store.sqlite)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS.values():
        importlib.import_module(f"{__name__}.{module}").register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``openreward-nb`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (OpenRewardNBError, ValueError, TypeError, LookupError) as exc:
        print(f"openreward-nb {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
