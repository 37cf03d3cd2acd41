"""Convert user metadata into values JSON can hold, naming the key path of anything it cannot."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import math
import os
from typing import Any

import msgspec

_SCALARS = (str, int, bool, type(None))


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _key(key: Any, path: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float, bool)) or key is None:
        return str(key)
    if isinstance(key, enum.Enum):
        return str(key.value)
    raise TypeError(f"{path} has a key of type {type(key).__name__} ({key!r:.60}); JSON object keys must be strings")


def to_jsonable(value: Any, path: str = "metadata") -> Any:
    """Return a JSON-ready copy of ``value``.

    numpy scalars and arrays, datetimes, paths, UUIDs, enums, decimals, sets, dataclasses,
    msgspec Structs and pydantic models are converted; non-finite floats become the strings "NaN" and
    "Infinity". Anything else raises TypeError naming the key path, e.g. ``metadata['a'][2]``.
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return {_key(k, path): to_jsonable(v, f"{path}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v, f"{path}[{i}]") for i, v in enumerate(items)]
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, path)
    module = type(value).__module__ or ""
    if module in ("uuid", "ipaddress"):
        return str(value)
    if module == "decimal":
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return _float(float(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, path)
    if isinstance(value, msgspec.Struct):
        return to_jsonable(msgspec.structs.asdict(value), path)
    if module.startswith("numpy"):
        if hasattr(value, "tolist"):
            return to_jsonable(value.tolist(), path)
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return to_jsonable(value.model_dump(mode="json"), path)
    raise TypeError(
        f"{path} holds a {type(value).__module__}.{type(value).__qualname__} ({value!r:.60}), "
        "which cannot be stored as JSON; convert it to str, number, list or dict first"
    )
