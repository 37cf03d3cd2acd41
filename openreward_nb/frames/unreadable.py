"""Stored values a frame cannot interpret: shown as missing, reported once per read.

A store may hold rows no current write path lets in (written by an older version, by
hand or by another tool): JSON that does not parse, a time beyond what pandas holds, text
in a numeric column. One such value must not make the frame of the whole store fail, so
the reader keeps going, shows the value as missing and warns once, naming the rollouts
(or runs) it came from.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import UnreadableValueWarning
from ..safe_text import terminal_line

#: owners named in a warning at most; the count says how many more there are
NAMED = 5


@dataclass
class Unreadable:
    """What one read could not interpret: frame column -> positions of its rows (in the whole read)."""

    rows: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, column: str, positions: Any) -> None:
        """Record that ``column`` could not be read at row ``positions`` (shown as missing there)."""
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size:
            self.rows.setdefault(column, []).append(positions)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def warn(self, owners: Sequence[Any] | None, owner_kind: str, stacklevel: int = 3, *, later: bool = False) -> None:
        """One warning for everything recorded, naming the owners (``owners[row]``, e.g. rollout ids).

        Without ``owners`` the rows are named by their position. ``later``: say that what
        the rest of a stream holds is not reported. Nothing happens when nothing was recorded.
        """
        if not self.rows:
            return
        parts = []
        named: dict[str, None] = {}
        count = 0
        for column, chunks in self.rows.items():
            positions = np.unique(np.concatenate(chunks))
            count += positions.size
            parts.append(f"{column} ({positions.size})")
            for row in positions:
                named[_owner(owners, int(row), owner_kind)] = None
        shown = list(named)[:NAMED]
        more = f" and {len(named) - len(shown)} more" if len(named) > len(shown) else ""
        warnings.warn(
            f"{count} stored value{'s' if count != 1 else ''} could not be read and "
            f"{'are' if count != 1 else 'is'} shown as missing: {', '.join(parts)}; "
            f"in {', '.join(shown)}{more}" + (" (this batch; later ones are not reported)" if later else ""),
            UnreadableValueWarning,
            stacklevel=stacklevel,
        )


def _owner(owners: Sequence[Any] | None, row: int, kind: str) -> str:
    if owners is None:
        return f"row {row}"
    return f"{kind} '{terminal_line(owners[row], 80)}'"
