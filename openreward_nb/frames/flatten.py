"""JSON objects stored as text (metadata, task_spec, ...) spread into one column per key."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dtypes import STRING
from .unreadable import Unreadable

_DECODE = msgspec.json.Decoder().decode


def flat_items(value: Any, prefix: str) -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": 2}`` under ``prefix`` p as ``{"p.a.b": 1, "p.c": 2}``; lists stay whole."""
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}"
        if isinstance(item, dict) and item:
            out.update(flat_items(item, name))
        else:
            out[name] = item
    return out


def flatten_json(texts: pa.ChunkedArray, prefix: str, unreadable: Unreadable) -> dict[str, Any]:
    """One pandas array per key found in the JSON texts (rows without the key are missing).

    Each distinct text is parsed once. Keys come in order of first appearance; each
    column's dtype is inferred from its values: ``Int64``, ``Float64``, ``boolean``,
    ``str``, or ``object`` (lists, mixed types). A text that is not JSON counts as a row
    without keys and is recorded in ``unreadable`` under ``prefix``.
    """
    distinct = pc.unique(texts.drop_null())
    if isinstance(distinct, pa.ChunkedArray):
        distinct = distinct.combine_chunks()
    positions = pc.index_in(texts, value_set=distinct)
    positions = pc.fill_null(positions, -1).to_numpy(zero_copy_only=False)
    parsed, bad = parse_texts(distinct.to_pylist())
    if bad:
        unreadable.add(prefix, np.flatnonzero(np.isin(positions, bad)))
    columns = _spread(parsed, prefix)
    # each column gets a trailing missing value, which position -1 (a row without a text) picks
    return {name: _typed([*values, None])[positions] for name, values in columns.items()}


def parse_texts(texts: list[str]) -> tuple[list[Any], list[int]]:
    """Each JSON text parsed (None where it is not JSON), and the positions of those that are not.

    Texts are parsed one by one (joined into one array, an unbalanced text would shift its
    neighbours' values onto other rows). msgspec first; what it refuses goes through the
    standard library, which also reads ``NaN``, ``Infinity`` and numbers beyond a double.
    """
    try:
        return list(map(_DECODE, texts)), []
    except msgspec.DecodeError:
        pass
    parsed: list[Any] = []
    bad: list[int] = []
    for i, text in enumerate(texts):
        try:
            parsed.append(_DECODE(text))
            continue
        except msgspec.DecodeError:
            pass
        try:
            parsed.append(json.loads(text))
        except (ValueError, RecursionError):
            parsed.append(None)
            bad.append(i)
    return parsed, bad


def _spread(parsed: list[Any], prefix: str) -> dict[str, list[Any]]:
    """Column name -> value per parsed object (None where it lacks the key)."""
    columns: dict[str, list[Any]] = {}
    count = len(parsed)

    def column(name: str) -> list[Any]:
        values = columns.get(name)
        if values is None:
            values = columns[name] = [None] * count
        return values

    by_key: dict[Any, list[Any]] = {}  # top-level key -> its column: the common case, one lookup
    for i, value in enumerate(parsed):
        if type(value) is not dict:
            if value is not None:  # JSON null, or a text that is not JSON: no column for it
                column(prefix)[i] = value
            continue
        for key, item in value.items():
            if type(item) is dict and item:
                for name, inner in flat_items(item, f"{prefix}.{key}").items():
                    column(name)[i] = inner
                continue
            values = by_key.get(key)
            if values is None:
                values = by_key[key] = column(f"{prefix}.{key}")
            values[i] = item
    return columns


def _typed(values: list[Any]) -> Any:
    array = pd.array(values)
    return array.astype(STRING) if isinstance(array.dtype, pd.StringDtype) else array
