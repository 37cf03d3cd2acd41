"""How a rollout is named by a person: an id, a unique id prefix, or ``RUN/ROLLOUT_NAME``.

One resolver for everything that takes a rollout reference (the CLI, ``client.rollouts.get``,
``compare``, ``to_chat_messages``), so they all accept the same forms and say the same when
a reference is unknown or names more than one rollout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AmbiguousIdError, InvalidArgumentError, NotFoundError
from .store.base import ROLLOUT_COLUMNS, Store

if TYPE_CHECKING:
    from .records import RolloutRecord
    from .rollout import Rollout

#: shortest id prefix accepted (shorter ones name too many rollouts to be useful)
MIN_PREFIX = 6
#: candidates named in an ambiguity error
SHOWN = 5
FORMS = f"an id, a unique id prefix ({MIN_PREFIX}+ characters) or RUN/ROLLOUT_NAME (the latest of that name)"

_COLS = ", ".join(ROLLOUT_COLUMNS)
_BY_ID = f"SELECT {_COLS} FROM rollouts WHERE id = ?"
_BY_NAME = f"SELECT {_COLS} FROM rollouts WHERE run_name = ? AND rollout_name = ? ORDER BY seq DESC LIMIT 1"
_BY_PREFIX = f"SELECT {_COLS} FROM rollouts WHERE id LIKE ? ESCAPE '\\' ORDER BY seq LIMIT {SHOWN + 1}"
_RUNS_WITH_NAME = "SELECT run_name, COUNT(*) FROM rollouts WHERE rollout_name = ? GROUP BY run_name ORDER BY run_name"


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _rows(store: Store, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(zip(ROLLOUT_COLUMNS, row, strict=True)) for row in store.query(store.translate(sql), params)]


def _label(row: dict[str, Any]) -> str:
    return f"{row['id']} ({row['run_name']}/{row['rollout_name'] or '-'})"


def _ambiguous(ref: str, what: str, candidates: list[str]) -> AmbiguousIdError:
    shown = ", ".join(candidates[:SHOWN]) + (", ..." if len(candidates) > SHOWN else "")
    return AmbiguousIdError(f"{ref!r} {what}: {shown}; give more of it, or an id")


def find_rollout(store: Store, ref: str) -> dict[str, Any]:
    """The stored row of the rollout ``ref`` names, tried in this order:

    the exact id; ``RUN/ROLLOUT_NAME`` (the latest rollout of that name in that run); a
    unique id prefix of :data:`MIN_PREFIX` or more characters; a rollout name alone, when
    one run has it (its latest). :class:`AmbiguousIdError` names the candidates when the
    reference fits several; :class:`NotFoundError` says what forms are accepted.
    """
    ref = str(ref)
    found = _rows(store, _BY_ID, (ref,))
    if found:
        return found[0]
    named: dict[str, dict[str, Any]] = {}
    for cut in (i for i, ch in enumerate(ref) if ch == "/"):
        for row in _rows(store, _BY_NAME, (ref[:cut], ref[cut + 1 :])):
            named[row["id"]] = row
    if len(named) > 1:
        raise _ambiguous(ref, "names rollouts in several runs", [_label(r) for r in named.values()])
    if named:
        return next(iter(named.values()))
    if len(ref) >= MIN_PREFIX:
        found = _rows(store, _BY_PREFIX, (_like_prefix(ref),))
        if len(found) > 1:
            raise _ambiguous(ref, "is the start of several rollout ids", [_label(r) for r in found])
        if found:
            return found[0]
    runs = store.query(store.translate(_RUNS_WITH_NAME), (ref,))
    if len(runs) > 1:
        raise _ambiguous(ref, "is a rollout name in several runs", [f"{run}/{ref} ({n})" for run, n in runs])
    if runs:
        return _rows(store, _BY_NAME, (runs[0][0], ref))[0]
    raise NotFoundError(f"no rollout {ref!r} in {store.url}; name one by {FORMS}")


def rollout_record(rollout: Rollout | RolloutRecord | str, store: Any = None) -> RolloutRecord:
    """The stored record of ``rollout``: a live :class:`~openreward_nb.rollout.Rollout` (flushed
    first), a record as it is, or a reference (an id, a unique id prefix, ``RUN/ROLLOUT_NAME``)
    read from ``store`` (default: the project's store, opened read-only)."""
    from .records import RolloutRecord, RolloutsAPI

    if isinstance(rollout, RolloutRecord):
        return rollout
    if isinstance(rollout, str):
        from .store.location import open_store

        return RolloutsAPI(open_store(store, read_only=True)).get(rollout)
    if not callable(getattr(rollout, "record", None)):
        raise InvalidArgumentError(f"expected a Rollout, a RolloutRecord or {FORMS}; got {type(rollout).__name__}")
    return rollout.record()
