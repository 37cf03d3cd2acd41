"""What to install when a part of the package needs a library this environment lacks.

``pip install openreward-nb`` brings the notebook toolkit (widgets, plotly, pandas and
pyarrow, markdown, IPython); the provider SDKs, PostgreSQL, upload and the ingest server
are extras (``pyproject.toml`` says which pulls in what). Every place that imports one of
them does it inside :func:`needs_extra`, so a missing library is one error naming the
command that installs it, never a bare ``ModuleNotFoundError`` of some dependency's
dependency.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, get_args

from .errors import MissingExtraError
from .hints import pip_install

#: the extras of pyproject.toml that make a part work (a test checks each exists there)
Extra = Literal["providers", "postgres", "sync", "server", "jupyter", "report"]
EXTRAS: tuple[str, ...] = get_args(Extra)


def install_hint(extra: Extra | None) -> str:
    """The command that installs what ``extra`` brings (None: the package's own dependencies)."""
    return pip_install("openreward-nb" if extra is None else f"openreward-nb[{extra}]")


@contextmanager
def needs_extra(extra: Extra | None, feature: str) -> Iterator[None]:
    """Imports inside that find a library missing raise :class:`MissingExtraError` naming ``extra``.

    ``extra=None`` for what ``pip install openreward-nb`` brings itself (run again, pip
    installs what is missing). A missing module of this package itself is a bug and is
    raised as it is. Usable as a decorator too.
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if not missing or missing.partition(".")[0] == "openreward_nb":
            raise
        package = missing.partition(".")[0]
        raise MissingExtraError(
            f"{feature} cannot load: {package} is not installed here. Install it with: {install_hint(extra)}",
            name=missing,
        ) from exc
