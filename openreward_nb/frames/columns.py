"""Declared columns: a frame's schema as (name, SQL source, kind), and the typed arrays each kind builds.

Values arrive from the store page by page; each page becomes one Arrow array per
column (:meth:`Kind.chunk`), and the chunks of a column become one pandas array of the
declared dtype (:meth:`Kind.finish`). An empty result goes through the same path, so
it has the same columns and dtypes as a full one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dtypes import STRING
from .flatten import flatten_json


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
    convert: Callable[[pa.ChunkedArray, Column], Any]
    #: True when one stored column becomes several frame columns (``json``)
    expands: bool = False

    def chunk(self, values: Sequence[Any]) -> pa.Array:
        """One page of values as an Arrow array."""
        return pa.array(values, type=self.arrow)

    def finish(self, chunks: list[pa.Array], column: Column) -> dict[str, Any]:
        """All pages of a column as frame columns: name -> pandas array of the declared dtype."""
        values = self.convert(pa.chunked_array(chunks, type=self.arrow), column)
        return values if self.expands else {column.name: values}


def _text(values: pa.ChunkedArray, _: Column) -> Any:
    return STRING.__from_arrow__(values)


def _integer(values: pa.ChunkedArray, _: Column) -> np.ndarray:
    return values.to_numpy().astype(np.int64, copy=False)


def _nullable_integer(values: pa.ChunkedArray, _: Column) -> Any:
    return pd.Int64Dtype().__from_arrow__(values)


def _nullable_float(values: pa.ChunkedArray, _: Column) -> Any:
    return pd.Float64Dtype().__from_arrow__(values)


def _flag(values: pa.ChunkedArray, _: Column) -> np.ndarray:
    return values.to_numpy() != 0


def _nullable_flag(values: pa.ChunkedArray, _: Column) -> Any:
    return pd.BooleanDtype().__from_arrow__(pc.not_equal(values, 0))


def _instant(values: pa.ChunkedArray, _: Column) -> Any:
    seconds = values.to_numpy(zero_copy_only=False)
    return pd.to_datetime(seconds, unit="s", utc=True).as_unit("us").array


def _category(values: pa.ChunkedArray, column: Column) -> pd.Categorical:
    codes = pc.index_in(values, value_set=pa.array(column.categories, pa.large_string()))
    codes = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(codes, categories=list(column.categories))


KINDS: dict[str, Kind] = {
    "str": Kind(pa.large_string(), _text),
    "int": Kind(pa.int64(), _integer),
    "Int": Kind(pa.int64(), _nullable_integer),
    "Float": Kind(pa.float64(), _nullable_float),
    "bool": Kind(pa.int64(), _flag),
    "boolean": Kind(pa.int64(), _nullable_flag),
    "datetime": Kind(pa.float64(), _instant),
    "category": Kind(pa.large_string(), _category),
    "json": Kind(pa.large_string(), lambda values, column: flatten_json(values, column.name), expands=True),
}


def select_list(columns: Sequence[Column]) -> str:
    """The SQL select list reading ``columns``, in order."""
    return ", ".join(c.sql for c in columns)
