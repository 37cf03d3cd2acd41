"""Commands as the user can type them where a hint is printed.

A hint must work in the shell it is printed to. A program of this environment (its
``bin/`` folder beside the running Python) is named bare when that shell's ``PATH`` finds
this very program, else by its path: the README's demo runs ``.venv/bin/openreward-nb``
in a shell where ``openreward-nb``, ``jupyter`` and ``pip`` are not on ``PATH`` (or are
another environment's).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys


def _shown(path: str) -> str:
    """``path`` relative to the working directory when it is inside it, else absolute; shell-quoted."""
    here = os.getcwd()
    full = os.path.abspath(path)
    if os.path.commonpath([here, full]) == here:
        full = os.path.relpath(full, here)
    return shlex.quote(full)


def _folder(path: str) -> str:
    return os.path.realpath(os.path.dirname(os.path.abspath(path)))


def installed(name: str) -> bool:
    """True when this environment's ``bin/`` has the program ``name``."""
    return os.path.isfile(os.path.join(os.path.dirname(sys.executable), name))


def program(name: str) -> str:
    """How to run ``name`` from this environment's ``bin/`` (where pip puts it, when it is not there yet)."""
    mine = os.path.join(os.path.dirname(sys.executable), name)
    found = shutil.which(name)
    # the same folder, not just the same file: a venv's python is a link to the base one, and
    # only run through the venv's link does it use the venv
    if found is not None and _folder(found) == _folder(mine) and os.path.basename(found) == name:
        return name
    return _shown(mine)


def python_module(module: str) -> str:
    """``python -m module`` with the running Python, as typed here."""
    python = program("python") if installed("python") else _shown(sys.executable)
    return f"{python} -m {module}"


def openreward_nb_command() -> str:
    """The ``openreward-nb`` command as typed here."""
    return program("openreward-nb") if installed("openreward-nb") else python_module("openreward_nb")


def pip_install(*requirements: str) -> str:
    """A ``pip install`` into this environment, as typed here."""
    pip = program("pip") if installed("pip") else python_module("pip")
    return " ".join([pip, "install", *(shlex.quote(r) for r in requirements)])
