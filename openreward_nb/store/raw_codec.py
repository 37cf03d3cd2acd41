"""How an event's raw provider payload is held in its row: without the strings the row already holds.

A payload mostly repeats its event: a chat message's text is the event's ``content``, a tool
call's id its ``call_id``. Stored whole, a payload of 1.2 KB cost as much again, and more in
SQLite, which keeps a row on one 4 KB page: rows of 1.3 KB share a page three at a time, rows
of 2.5 KB take one each. So a string of the payload equal to one of the event's text columns
(:data:`REF_COLUMNS`, as stored) is held as a reference to that column, and put back on read.
The raw column always holds valid JSON:

- anything but an array: the payload itself (every row written before the schema migration
  that allowed references, and payloads with nothing to refer to; no stored payload was ever
  an array);
- ``[skeleton, refs]``: the payload with ``null`` where each reference goes; each ref is
  ``[column, key or index...]``, the path to the reference's place after what it refers to:
  a column's name (its whole text), ``[name, start, end]`` (a part of it: a signature behind
  a reference's prefix, one part of a joined text), ``[name, before, after]`` (its text
  between two strings: a message's text the event holds stripped) or ``[name, "json"]`` (the
  object or array whose JSON text it holds: a tool's input, as its event's content);
- ``[n]``: shape ``n`` of :data:`.raw_shapes.SHAPES`, the ``[skeleton, refs]`` text most
  payloads of a common message have (a user's chat message: ``[1]``).

A reference is made only where the row holds exactly that text, so what comes back is what
the provider sent, exactly. Non-finite numbers are stored as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"`` (JSON has no such numbers). The text is written by
msgspec (one of the core dependencies, as fast as orjson and, unlike it, taking integers
beyond 64 bits); its spelling of numbers (``1e-7``) differs from :mod:`json`'s (``1e-07``),
which only the parsed payload, never compared as text, sees.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from .raw_shapes import SHAPES

#: the event columns a payload's strings may refer to, in the order :func:`encode` takes their values
REF_COLUMNS: tuple[str, ...] = ("content", "content_reference", "summary", "name", "call_id")

_COLUMN_SET = frozenset(REF_COLUMNS)
_SHAPE_CODES: dict[str, int] = {text: code for code, text in SHAPES.items()}
_encode_bytes = msgspec.json.Encoder().encode
#: the shortest string looked for inside a column (a signature behind a prefix, one part of a joined text)
_MIN_SLICE = 32


def _dumps(value: Any) -> str:
    """Compact JSON text; lone surrogates (which msgspec refuses) are written as escapes."""
    try:
        return _encode_bytes(value).decode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _number(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _unconverted(value: Any) -> Any:
    raise TypeError(f"a raw payload cannot hold {type(value).__name__}")


def _first_key(text: str, start: int) -> str | None:
    """The first key of the JSON object text at ``text[start:]`` (None when it does not start ``{"key":``)."""
    if text[start : start + 2] != '{"':
        return None
    end = text.find('"', start + 2)
    return text[start + 2 : end] if end > 0 else None


class _Punch:
    """Copies a payload with the strings its row holds taken out, noting where they were."""

    __slots__ = ("convert", "held", "json_arrays", "json_objects", "lengths", "refs")

    def __init__(self, held: list[tuple[str, str]], convert: Callable[[Any], Any]) -> None:
        self.held = held
        self.lengths = {len(text) for _, text in held}
        self.refs: list[list[Any]] = []
        self.convert = convert
        # Columns holding JSON text of an object or array (a tool's input, as its event's content), by what
        # an object's text starts with: its first key (for an array, of its first object; None for others).
        self.json_objects: dict[str, list[str]] = {}
        self.json_arrays: dict[str | None, list[str]] = {}
        for name, text in held:
            if len(text) >= _MIN_SLICE and text[0] == "{":
                key = _first_key(text, 0)
                if key is not None:
                    self.json_objects.setdefault(key, []).append(name)
            elif len(text) >= _MIN_SLICE and text[0] == "[":
                self.json_arrays.setdefault(_first_key(text, 1), []).append(name)

    def json_column(self, value: dict[str, Any] | list[Any], names: list[str]) -> list[str] | None:
        """``[name, "json"]`` when one of the columns ``names`` holds exactly the JSON text ``value`` is stored as."""
        text = _dumps(_Punch([], self.convert).copy(value, ()))
        for name, held in self.held:
            if held == text and name in names:
                return [name, "json"]
        return None

    def column(self, text: str) -> Any:
        """Where the row holds ``text``: a column's name, ``[name, start, end]`` for part of one, or None."""
        if len(text) in self.lengths:
            for name, held in self.held:
                if text == held:
                    return name
        if len(text) >= _MIN_SLICE:
            for name, held in self.held:
                start = held.find(text)
                if start >= 0:
                    return [name, start, start + len(text)]
            for name, held in self.held:
                start = text.find(held) if len(held) >= _MIN_SLICE else -1
                if start >= 0:
                    return [name, text[:start], text[start + len(held) :]]
        return None

    def copy(self, value: Any, path: tuple[Any, ...]) -> Any:
        """``value`` as JSON-ready data with each string the row holds as None (noted in :attr:`refs`) and
        non-finite numbers as strings; what is not JSON already goes through :attr:`convert` first."""
        kind = type(value)
        if kind is dict or kind is list:
            names = None
            if kind is dict:
                if self.json_objects and value:
                    names = self.json_objects.get(next(iter(value)))
            elif self.json_arrays and value:
                first = value[0]
                names = self.json_arrays.get(next(iter(first), None) if type(first) is dict else None)
            if names is not None:
                column = self.json_column(value, names)
                if column is not None:
                    self.refs.append([column, *path])
                    return None
            if kind is list:
                return [self.copy(item, (*path, i)) for i, item in enumerate(value)]
            out: dict[str, Any] = {}
            lengths = self.lengths
            for key, item in value.items():
                if type(key) is not str:
                    key = str(key)
                t = type(item)
                if t is str:
                    if len(item) in lengths or len(item) >= _MIN_SLICE:  # else no column can hold it
                        column = self.column(item)
                        if column is not None:
                            self.refs.append([column, *path, key])
                            item = None
                elif not (item is None or t is int or t is bool):
                    item = self.copy(item, (*path, key))
                out[key] = item
            return out
        if kind is str:
            column = self.column(value)
            if column is None:
                return value
            self.refs.append([column, *path])
            return None
        if kind is float:
            return _number(value)
        if value is None or kind is int or kind is bool:
            return value
        if isinstance(value, str):  # a subclass (an enum of str or int...): the value JSON writes for it
            return self.copy(str.__str__(value), path)
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float):
            return _number(float.__float__(value))
        return self.copy(self.convert(value), path)


def _encode(value: Any, columns: Sequence[str | None], convert: Callable[[Any], Any]) -> tuple[str, list[list[Any]]]:
    """:func:`encode`'s text, with the references it holds (the shape's, for a shape number)."""
    held = [(name, text) for name, text in zip(REF_COLUMNS, columns, strict=False) if text]
    punch = _Punch(held, convert)
    skeleton = punch.copy(value, ())
    refs = punch.refs
    if not refs:
        return _dumps([skeleton, refs] if type(skeleton) is list else skeleton), refs
    text = _dumps([skeleton, refs])
    code = _SHAPE_CODES.get(text)
    return (text if code is None else f"[{code}]"), refs


def encode(value: Any, columns: Sequence[str | None] = (), convert: Callable[[Any], Any] = _unconverted) -> str:
    """JSON text of ``value`` for the raw column of a row whose :data:`REF_COLUMNS` hold ``columns``.

    ``value`` is JSON data, except for what ``convert`` turns into JSON data (SDK objects...).
    """
    return _encode(value, columns, convert)[0]


# --- remembered encodings ---------------------------------------------------------------------------------
# Most payloads repeat a few structures (a chat message: role and text), so the writer remembers the text it
# wrote for one and checks the next against it: the same keys in the same order, the same constants (of the
# same type), and at each reference a string equal to the same column of the new row. A payload that passes
# decodes, from that text and its own row, to itself exactly; checking it costs a fraction of encoding it.

_CONSTANT_TYPES = (str, int, bool, type(None))
#: remembered texts are short (no payload's long strings kept alive), for a bounded number of structures
_MAX_PLAN_TEXT = 512
_MAX_PLAN_KEYS = 256
_MAX_PLANS_PER_KEY = 8


class _Node:
    """The checks for one object of a payload: its keys in order, its constants, where its references go
    (position among its values -> column index, with the text around the column's: a stripped message) and
    its objects' own checks. Keys in ``left_out`` are not part of the payload (an item's keys another
    event records), so what they hold is not checked."""

    __slots__ = ("constants", "holes", "keys", "nested", "take_constants", "typed")

    def __init__(
        self,
        value: dict[str, Any],
        path: tuple[Any, ...],
        holes: dict[tuple[Any, ...], tuple[int, str, str]],
        left_out: frozenset[str] = frozenset(),
    ) -> None:
        self.keys = tuple(value)
        constant_at: list[int] = []
        self.typed: list[tuple[int, type]] = []  # where a number or flag must be of its type (1 == 1.0 == True)
        self.holes: list[tuple[int, int, str, str]] = []
        self.nested: list[tuple[int, _Node]] = []
        for i, (key, item) in enumerate(value.items()):
            if type(key) is not str:
                raise TypeError("not remembered")
            if key in left_out:
                continue
            column = holes.pop((*path, key), None)
            if column is not None:
                self.holes.append((i, *column))
            elif type(item) is dict:
                self.nested.append((i, _Node(item, (*path, key), holes)))
            elif type(item) in _CONSTANT_TYPES:
                constant_at.append(i)
                if type(item) is int or type(item) is bool:
                    self.typed.append((i, type(item)))
            else:
                raise TypeError("not remembered")  # arrays, numbers with a fraction, SDK objects
        self.take_constants = operator.itemgetter(*constant_at) if constant_at else None
        self.constants = self.take_constants(list(value.values())) if self.take_constants else None

    def passes(self, value: dict[str, Any], columns: Sequence[str | None], keys_known: bool = False) -> bool:
        """Whether ``value`` is what this node was made from, with this row's ``columns`` at its references
        (``keys_known``: its keys, in order, were checked already). Called for most rows a writer stores:
        each check is skipped when the node has none of its kind."""
        if not keys_known and tuple(value) != self.keys:
            return False
        values = tuple(value.values())
        if self.take_constants is not None and self.take_constants(values) != self.constants:
            return False
        if self.typed:
            for i, kind in self.typed:
                if type(values[i]) is not kind:
                    return False
        for i, column, before, after in self.holes:
            item = values[i]
            held = columns[column]
            if item is held and held is not None and not (before or after):  # the column is the payload's string
                continue
            if type(item) is not str or held is None or item != (before + held + after if before or after else held):
                return False
        if self.nested:
            for i, node in self.nested:
                item = values[i]
                if type(item) is not dict or not node.passes(item, columns):
                    return False
        return True


class Remembered:
    """Texts written for payloads, filed under a key the caller makes (cheaply) from what fixes the payload
    but its top-level objects (its parts, given in the same order each time, each with the keys it leaves
    out of the payload): the keys of each part are in the key; what each part holds is checked."""

    def __init__(self) -> None:
        self._plans: dict[Any, list[tuple[tuple[_Node, ...], str]]] = {}

    def text(self, key: Any, parts: tuple[dict[str, Any], ...], columns: Sequence[str | None]) -> str | None:
        """The text remembered under ``key`` whose checks ``parts`` pass, with this row's ``columns``."""
        if len(columns) != len(REF_COLUMNS):  # no row to refer to (a rescue file's copy)
            return None
        try:
            plans = self._plans.get(key, ())
        except TypeError:  # a key that cannot be hashed is never filed
            return None
        if len(parts) == 1:  # the commonest: an item alone
            (part,) = parts
            for nodes, text in plans:
                if nodes[0].passes(part, columns, True):
                    return text
            return None
        for nodes, text in plans:
            for node, part in zip(nodes, parts, strict=True):
                if not node.passes(part, columns, True):
                    break
            else:
                return text
        return None

    def encode(
        self,
        key: Any,
        value: dict[str, Any],
        parts: tuple[tuple[str, dict[str, Any], frozenset[str]], ...],
        columns: Sequence[str | None],
        convert: Callable[[Any], Any],
    ) -> str:
        """:func:`encode` of ``value``, remembered when it is short and its references are to whole columns (or
        one between two strings) in its ``parts``: (top-level key, the object as given, the keys of it left out of ``value``); everything else
        in ``value`` is fixed by ``key``."""
        text, refs = _encode(value, columns, convert)
        if len(columns) != len(REF_COLUMNS):
            return text
        try:
            plans = self._plans.get(key)
        except TypeError:
            return text
        if plans is None and len(self._plans) < _MAX_PLAN_KEYS:
            plans = self._plans.setdefault(key, [])
        if plans is None or len(plans) >= _MAX_PLANS_PER_KEY or len(text) > _MAX_PLAN_TEXT:
            return text
        names = {name for name, _, _ in parts}
        holes: dict[tuple[Any, ...], tuple[int, str, str]] = {}
        for spec, *path in refs:
            if type(spec) is str:
                name, before, after = spec, "", ""
            elif len(spec) == 3 and type(spec[1]) is str and type(spec[2]) is str:
                name, before, after = spec
            else:  # a part of a column, or JSON: where it is differs from one payload to the next
                return text
            if not path or path[0] not in names:
                return text
            holes[tuple(path)] = (REF_COLUMNS.index(name), before, after)
        try:
            nodes = tuple(_Node(part, (name,), holes, left_out) for name, part, left_out in parts)
        except TypeError:
            return text
        if not holes:  # every reference has its check
            plans.append((nodes, text))
        return text


def _held(spec: Any, columns: dict[str, str | None]) -> Any:
    """What a reference's column spec names: a column's text, ``[column, start, end]`` part of it,
    ``[column, before, after]`` it between two strings, or ``[column, "json"]`` the value its JSON text holds."""
    name, part = (spec, None) if type(spec) is str else (spec[0] if type(spec) is list and spec else None, spec)
    if name not in _COLUMN_SET:
        raise ValueError(f"bad raw payload reference to {spec!r:.80}")
    text = columns.get(name)
    if text is None:
        raise ValueError(f"the raw payload refers to column {name}, which is empty")
    if part is None:
        return text
    if part[1:] == ["json"]:
        return json.loads(text, parse_constant=str)
    if len(part) == 3 and type(part[1]) is str and type(part[2]) is str:
        return part[1] + text + part[2]
    if (
        len(part) != 3
        or type(part[1]) is not int
        or type(part[2]) is not int
        or not 0 <= part[1] <= part[2] <= len(text)
    ):
        raise ValueError(f"bad raw payload reference to {spec!r:.80}")
    return text[part[1] : part[2]]


def is_by_reference(text: str) -> bool:
    """Whether stored raw ``text`` needs its row's columns to be read (one of this module's array forms)."""
    return text[:1] == "["


def decode(text: str, columns: dict[str, str | None]) -> Any:
    """The payload from stored raw ``text`` and its row's :data:`REF_COLUMNS` (by name); ValueError when the
    text is not valid JSON or its references do not fit the row."""
    value = json.loads(text, parse_constant=str)
    if type(value) is not list:
        return value
    if len(value) == 1 and type(value[0]) is int:
        shape = SHAPES.get(value[0])
        if shape is None:
            raise ValueError(f"unknown raw payload shape {value[0]} (written by a newer openreward-nb?)")
        value = json.loads(shape)
    if len(value) != 2 or type(value[1]) is not list:
        raise ValueError("an array is not a stored raw payload form")
    skeleton, refs = value
    for ref in refs:
        if type(ref) is not list or not ref:
            raise ValueError(f"bad raw payload reference {ref!r:.80}")
        held = _held(ref[0], columns)
        if len(ref) == 1:
            skeleton = held
            continue
        node = skeleton
        try:
            for key in ref[1:-1]:
                node = node[key]
            if node[ref[-1]] is not None:
                raise ValueError(f"bad raw payload reference {ref!r:.80}")
            node[ref[-1]] = held
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"bad raw payload reference {ref!r:.80}") from exc
    return skeleton


def payload_text(text: str, columns: dict[str, str | None]) -> str:
    """The payload's own JSON text from stored raw ``text`` (as it is unless stored by reference); ValueError
    as :func:`decode`."""
    if not is_by_reference(text):
        return text
    return json.dumps(decode(text, columns), ensure_ascii=False, separators=(",", ":"))
