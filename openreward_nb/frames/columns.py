"""Declared columns: a frame's schema as (name, SQL source, kind), and the typed arrays each kind builds.

Values arrive from the store page by page; each page becomes one Arrow array per
column (:meth:`Kind.chunk`), and the chunks of a column become one pandas array of the
declared dtype (:meth:`Kind.finish`). An empty result goes through the same path, so
it has the same columns and dtypes as a full one. A stored value a kind cannot hold (text
in a numeric column, a time pandas cannot represent, JSON that does not parse) becomes
missing and is recorded in the read's :class:`Unreadable`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..limits import MAX_TIMESTAMP_S
from .dtypes import STRING
from .flatten import flatten_json
from .unreadable import Unreadable

#: what a value may fail with when Arrow converts it to a column's type
CONVERSION_ERRORS = (pa.ArrowException, OverflowError, TypeError, ValueError)
#: the Arrow type of instants (``events_arrow``; frames hold the same, as ``dtypes.DATETIME``)
INSTANT = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    """One column of a frame: its name, the SQL expression it is read from and its kind.

    ``kind`` is a key of :data:`KINDS`. A ``json`` column is not kept itself: its JSON
    object is flattened into one column per key, named ``<name>.<key>``.
    """

    name: str
    kind: str
    sql: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """How a kind of column is typed: the Arrow type pages are read into, and its pandas conversion."""

    arrow: pa.DataType
    convert: Callable[[pa.ChunkedArray, Column, Unreadable], Any]
    #: the type of the column in Arrow output (``events_arrow``), and how a page's array becomes it
    #: (given the column's name, the read's Unreadable and the rows before the page)
    arrow_out: pa.DataType
    to_arrow: Callable[[pa.Array, str, Unreadable, int], pa.Array]
    #: True when one stored column becomes several frame columns (``json``)
    expands: bool = False

    def chunk(self, values: Sequence[Any], name: str, unreadable: Unreadable, offset: int) -> pa.Array:
        """One page of values as an Arrow array; a value the type cannot hold becomes null and is
        recorded as unreadable in column ``name`` at its row (``offset`` rows precede the page)."""
        try:
            return pa.array(values, type=self.arrow)
        except CONVERSION_ERRORS:
            pass
        kept: list[Any] = []
        for row, value in enumerate(values):
            try:
                pa.array([value], type=self.arrow)
            except CONVERSION_ERRORS:
                unreadable.add(name, [offset + row])
                value = None
            kept.append(value)
        return pa.array(kept, type=self.arrow)

    def finish(self, chunks: list[pa.Array], column: Column, unreadable: Unreadable) -> dict[str, Any]:
        """All pages of a column as frame columns: name -> pandas array of the declared dtype."""
        values = self.convert(pa.chunked_array(chunks, type=self.arrow), column, unreadable)
        return values if self.expands else {column.name: values}


def _text(values: pa.ChunkedArray, *_: Any) -> Any:
    return STRING.__from_arrow__(values)


def _integer(values: pa.ChunkedArray, column: Column, unreadable: Unreadable) -> Any:
    if values.null_count:  # only where a value could not be read: NOT NULL columns hold none
        unreadable.add(column.name, np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False)))
        return pd.Int64Dtype().__from_arrow__(values)
    return values.to_numpy().astype(np.int64, copy=False)


def _nullable_integer(values: pa.ChunkedArray, *_: Any) -> Any:
    return pd.Int64Dtype().__from_arrow__(values)


def _nullable_float(values: pa.ChunkedArray, *_: Any) -> Any:
    return pd.Float64Dtype().__from_arrow__(values)


def _flag(values: pa.ChunkedArray, column: Column, unreadable: Unreadable) -> Any:
    if values.null_count:
        unreadable.add(column.name, np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False)))
        return _nullable_flag(values)
    return values.to_numpy() != 0


def _nullable_flag(values: pa.ChunkedArray, *_: Any) -> Any:
    return pd.BooleanDtype().__from_arrow__(pc.not_equal(values, 0))


def instants(seconds: pa.Array | pa.ChunkedArray, name: str, unreadable: Unreadable, offset: int) -> pa.Array:
    """Epoch seconds as UTC instants, cut to the microsecond (never after the stored time, so an
    instant read back is a ``since`` bound that includes its row); a value that is not a time
    pandas and Python can hold (NaN, infinite, too far from 1970) becomes missing and is
    recorded in ``unreadable``."""
    numbers = seconds.to_numpy(zero_copy_only=False)  # missing values become NaN
    missing = seconds.is_null().to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(numbers) <= MAX_TIMESTAMP_S) & ~missing
        if bad.any():
            unreadable.add(name, offset + np.flatnonzero(bad))
            missing |= bad
        numbers = np.where(missing, 0.0, numbers)
    # whole seconds and their fraction apart: a double holds the fraction of a second to well
    # under a microsecond, but not the whole time in microseconds (2**53 us is 285 years)
    whole = np.floor(numbers)
    micros = whole.astype(np.int64) * 1_000_000 + np.floor((numbers - whole) * 1e6).astype(np.int64)
    return pa.array(micros, type=INSTANT, mask=missing)


def _instant(values: pa.ChunkedArray, column: Column, unreadable: Unreadable) -> Any:
    return instants(values, column.name, unreadable, 0).to_pandas().array


def _same(values: pa.Array, *_: Any) -> pa.Array:
    return values


def _flags(values: pa.Array, *_: Any) -> pa.Array:
    return pc.not_equal(values, 0)


def _category(values: pa.ChunkedArray, column: Column, unreadable: Unreadable) -> pd.Categorical:
    codes = pc.index_in(values, value_set=pa.array(column.categories, pa.large_string()))
    unknown = pc.and_(pc.is_null(codes), pc.is_valid(values))  # a value outside the categories
    if pc.any(unknown).as_py():
        unreadable.add(column.name, np.flatnonzero(unknown.to_numpy(zero_copy_only=False)))
    codes = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(codes, categories=list(column.categories))


KINDS: dict[str, Kind] = {
    "str": Kind(pa.large_string(), _text, pa.large_string(), _same),
    "int": Kind(pa.int64(), _integer, pa.int64(), _same),
    "Int": Kind(pa.int64(), _nullable_integer, pa.int64(), _same),
    "Float": Kind(pa.float64(), _nullable_float, pa.float64(), _same),
    "bool": Kind(pa.int64(), _flag, pa.bool_(), _flags),
    "boolean": Kind(pa.int64(), _nullable_flag, pa.bool_(), _flags),
    "datetime": Kind(pa.float64(), _instant, INSTANT, instants),
    "category": Kind(pa.large_string(), _category, pa.large_string(), _same),
    # a JSON object: spread into columns in a frame, kept as its text in Arrow output
    "json": Kind(
        pa.large_string(),
        lambda values, column, unreadable: flatten_json(values, column.name, unreadable),
        pa.large_string(),
        _same,
        expands=True,
    ),
}


def select_list(columns: Sequence[Column]) -> str:
    """The SQL select list reading ``columns``, in order."""
    return ", ".join(c.sql for c in columns)
