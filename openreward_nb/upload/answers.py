"""What the OpenReward API answers, checked before it is used.

A server (or whatever answers at its address) may send any JSON: ``{"id": 12345}`` for an
environment, a list where a page of runs belongs. Each answer is checked for the shape
this package relies on, and refused with an error naming the request and what was wrong,
instead of failing later with an AttributeError deep inside an upload.
"""

from __future__ import annotations

from typing import Any

from ..limits import MAX_NAME_CHARS
from ..safe_text import terminal_line


class BadAnswer(ValueError):
    """The API answered something that is not what the request asks for."""


def _shown(value: Any) -> str:
    return terminal_line(repr(value), 80)


def _refuse(path: str, what: str) -> BadAnswer:
    return BadAnswer(f"the API's answer to GET {terminal_line(path, 200)} makes no sense: {what}")


def _optional_id(path: str, data: dict[str, Any], key: str, owner: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if type(value) is not str or not value or len(value) > MAX_NAME_CHARS:
        raise _refuse(path, f'{owner}"{key}" must be text of 1 to {MAX_NAME_CHARS} characters, got {_shown(value)}')
    return value


def environment_id(path: str, data: Any) -> str | None:
    """The ``id`` of an environment look-up's answer (None when it has none)."""
    if not isinstance(data, dict):
        raise _refuse(path, f"expected a JSON object, got {_shown(data)}")
    return _optional_id(path, data, "id", "")


def variant_id(path: str, data: Any, variant: str) -> str | None:
    """The ``id`` of the variant named ``variant`` in a variants listing (None when it is not listed)."""
    if not isinstance(data, list):
        raise _refuse(path, f"expected a JSON list, got {_shown(data)}")
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise _refuse(path, f"item {i}: expected a JSON object, got {_shown(item)}")
        if item.get("name") == variant:
            return _optional_id(path, item, "id", f"item {i}: ")
    return None


def document(path: str, data: Any) -> dict[str, Any]:
    """An answer that must be a JSON object (a run)."""
    if not isinstance(data, dict):
        raise _refuse(path, f"expected a JSON object, got {_shown(data)}")
    return data


def page(path: str, data: Any, key: str) -> tuple[list[dict[str, Any]], int | None]:
    """The items under ``key`` of one page of a listing, and its ``total`` if it gives one."""
    data = document(path, data)
    items = data.get(key)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise _refuse(path, f'"{key}" must be a list, got {_shown(items)}')
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _refuse(path, f"{key}[{i}]: expected a JSON object, got {_shown(item)}")
    total = data.get("total")
    if total is not None and (type(total) is not int or total < 0):
        raise _refuse(path, f'"total" must be a count, got {_shown(total)}')
    return items, total
