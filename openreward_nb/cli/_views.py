"""What the view subcommands share: opening the store and deciding on colour."""

from __future__ import annotations

import argparse
import os
import sys

from ..client import OpenReward


def client_for(args: argparse.Namespace) -> OpenReward:
    """A client on the store named by ``--store`` (or the default)."""
    return OpenReward(store=args.store)


def use_color(args: argparse.Namespace) -> bool:
    """Colour when printing to a terminal, unless ``--no-color`` or ``$NO_COLOR``."""
    return not getattr(args, "no_color", False) and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def add_color_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-color", action="store_true", help="plain text, no ANSI colours")
