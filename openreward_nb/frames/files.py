"""Frames to Parquet and CSV files through pandas."""

from __future__ import annotations

import json
import os
from typing import Any

import pandas as pd

FILE_FORMATS: tuple[str, ...] = ("parquet", "csv")


def _json_or_none(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def write_frame(frame: pd.DataFrame, path: str | os.PathLike[str], format: str) -> None:
    """Write ``frame`` as Parquet or CSV; object columns (parsed JSON such as tool arguments) go as JSON text."""
    if format not in FILE_FORMATS:
        raise ValueError(f"unknown file format {format!r}; formats: {', '.join(FILE_FORMATS)}")
    objects = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_object_dtype(dtype)]
    if objects:
        frame = frame.assign(**{name: frame[name].map(_json_or_none) for name in objects})
    if format == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
