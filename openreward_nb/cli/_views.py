"""What the view subcommands share: the store they read (never created) and deciding on colour."""

from __future__ import annotations

import argparse
import os
import sys

from ..store.base import Store
from ..store.location import open_store


def reader_store(args: argparse.Namespace) -> Store:
    """The existing store named by ``--store`` (or found for the working directory), opened read-only."""
    return open_store(args.store, read_only=True)


def use_color(args: argparse.Namespace) -> bool:
    """Colour when printing to a terminal, unless ``--no-color`` or ``$NO_COLOR``."""
    return not getattr(args, "no_color", False) and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def add_color_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-color", action="store_true", help="plain text, no ANSI colours")
