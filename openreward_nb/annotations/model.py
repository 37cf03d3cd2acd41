"""What an annotation is, and what a person may write into one: each value checked before anything is written."""

from __future__ import annotations

import getpass
import math
import numbers
import operator
import os
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ..errors import InvalidArgumentError
from ..limits import MAX_LABEL_CHARS, MAX_LABEL_SET, MAX_NOTE_CHARS

if TYPE_CHECKING:
    from ..store.base import Store

#: who writes annotations when ``author=`` is not given (else the OS user)
AUTHOR_ENV = "OPENREWARD_NB_AUTHOR"
#: the labels a run's views offer on number keys until its label set is set
DEFAULT_LABELS: tuple[str, ...] = ("good trajectory", "reward hacking", "env bug", "wrong tool")


class _Keep:
    """The value of an argument of :meth:`Annotation.edit` left as it is."""

    def __repr__(self) -> str:
        return "KEEP"


#: passed for a field :meth:`Annotation.edit` should leave as it is (None clears it)
KEEP: Final = _Keep()


@dataclass(frozen=True)
class Annotation:
    """One annotation: a label, a note and / or a score a person gave a rollout (``event`` None) or one of its events."""

    id: str
    rollout_id: str
    #: the index of the labelled event, None for the rollout as a whole
    event: int | None
    label: str | None
    note: str | None
    score: float | None
    author: str
    #: seconds since 1970
    created_at: float
    updated_at: float
    _store: Store | None = field(default=None, repr=False, compare=False)

    def edit(self, *, label: Any = KEEP, note: Any = KEEP, score: Any = KEEP) -> Annotation:
        """Change the label, note or score (None clears one; at least one must remain); returns the edited annotation."""
        from .api import edit

        return edit(self._attached(), self.id, label=label, note=note, score=score)

    def remove(self) -> None:
        """Delete this annotation from the store."""
        from .api import remove

        remove(self._attached(), self.id)

    def _attached(self) -> Store:
        if self._store is None:
            from ..errors import DetachedRecordError

            raise DetachedRecordError("this annotation is detached from its store")
        return self._store

    def as_dict(self) -> dict[str, Any]:
        """The annotation's fields as a dict."""
        return {
            "id": self.id,
            "rollout_id": self.rollout_id,
            "event": self.event,
            "label": self.label,
            "note": self.note,
            "score": self.score,
            "author": self.author,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be text, got {type(value).__name__}: {value!r:.60}")
    if len(value) > limit:
        raise InvalidArgumentError(f"{what} is {len(value):,} characters long; a store takes at most {limit:,}")
    return value


def check_label(label: Any) -> str:
    """A label as stored: text without surrounding spaces, neither empty nor holding control characters."""
    text = _text(label, "label", MAX_LABEL_CHARS).strip()
    if not text:
        raise InvalidArgumentError(
            f"label must not be empty, got {label!r}; give a label, or label=None with a note or a score"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidArgumentError(
            f"label {text!r} holds a control character (a newline, a tab...); labels are one line"
        )
    return text


def check_optional_label(label: Any) -> str | None:
    """:func:`check_label`, with None allowed (an annotation of a note or a score alone)."""
    return None if label is None else check_label(label)


def check_note(note: Any) -> str | None:
    """A note as stored: any text (None, or only spaces, for none)."""
    if note is None:
        return None
    text = _text(note, "note", MAX_NOTE_CHARS)
    return text if text.strip() else None


def check_score(score: Any) -> float | None:
    """A score as stored: a finite real number (True / False are not scores)."""
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        raise InvalidArgumentError(f"score must be a finite number, got {type(score).__name__}: {score!r:.60}")
    value = float(score)
    if not math.isfinite(value):
        raise InvalidArgumentError(f"score must be a finite number, got {score!r}")
    return value


def check_event(event: Any) -> int | None:
    """An event index (an int, numpy ints too), or None for the rollout as a whole."""
    if event is None:
        return None
    if isinstance(event, bool):
        raise InvalidArgumentError(f"event must be an event's index (an int) or None, got {event!r}")
    try:
        return operator.index(event)
    except TypeError:
        raise InvalidArgumentError(
            f"event must be an event's index (an int) or None, got {type(event).__name__}: {event!r:.60}"
        ) from None


def check_content(label: str | None, note: str | None, score: float | None) -> None:
    """An annotation must say something: a label, a note or a score."""
    if label is None and note is None and score is None:
        raise InvalidArgumentError("an annotation needs a label, a note or a score; all three are empty")


def check_author(author: Any) -> str:
    """Who wrote an annotation: one line of text."""
    text = _text(author, "author", MAX_LABEL_CHARS).strip()
    if not text or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidArgumentError(f"author must be a name on one line, got {author!r:.60}")
    return text


def default_author() -> str:
    """``$OPENREWARD_NB_AUTHOR``, else the user this process runs as."""
    name = os.environ.get(AUTHOR_ENV, "").strip()
    if name:
        return check_author(name)
    try:
        name = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no such user in the password file (a container)
        name = ""
    return check_author(name) if name.strip() else "unknown"


def author_or_default(author: Any) -> str:
    """``author`` checked, or :func:`default_author` when None."""
    return default_author() if author is None else check_author(author)


def check_label_set(labels: Any) -> list[str]:
    """A run's label set: distinct labels, in the order given, at most :data:`MAX_LABEL_SET`."""
    if isinstance(labels, str) or not hasattr(labels, "__iter__"):
        raise InvalidArgumentError(f"a label set is a list of labels, got {type(labels).__name__}: {labels!r:.60}")
    checked = list(dict.fromkeys(check_label(label) for label in labels))
    if len(checked) > MAX_LABEL_SET:
        raise InvalidArgumentError(f"a label set holds at most {MAX_LABEL_SET} labels, got {len(checked)}")
    return checked
