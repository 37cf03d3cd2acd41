"""``client.remote``: runs and rollouts read back from the OpenReward API, as DataFrames.

``GET /v1/runs``, ``/v1/runs/{id}`` and ``/v1/runs/{id}/rollouts``, paged. The frames have
the columns and dtypes of the local exporter (``frames.runs_df`` / ``frames.rollouts_df``)
for every field the API sends that means the same thing (``rolloutName`` -> ``rollout_name``,
``num_messages`` -> ``n_events``, times as UTC datetimes, JSON objects flattened into
``metadata.<key>`` columns); other fields follow as they are, in snake_case, except those
named ``*_at`` (``updated_at``), which are UTC datetimes too. A run's id, needed for
:meth:`RemoteAPI.rollouts`, is in the ``run_id`` column.

Each request has an overall deadline, reads a bounded answer, and its shape is checked
(:mod:`.answers`): a broken or hostile server gives a :class:`RemoteAPIError`, never a
hang, a huge allocation or an AttributeError.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..errors import RemoteAPIError
from ..extras import needs_extra

with needs_extra("sync", "Reading runs from OpenReward"):
    import httpx2

from ..safe_text import terminal_line
from . import answers, transport
from .target import Target

PAGE = 100
#: the largest answer read (a page of 100 rollouts with their metadata is far smaller)
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_RENAMES = {
    "id": "rollout_id",
    "run_name": "run",
    "num_messages": "n_events",
    "num_tool_calls": "n_tool_calls",
}
_RUN_RENAMES = {
    "id": "run_id",
    "name": "run",
    "num_rollouts": "n_rollouts",
    "avg_rollout_reward": "mean_reward",
    "avg_rollout_length": "mean_n_events",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NULLABLE = {"int": "Int", "bool": "boolean"}


def column_name(field: str, renames: dict[str, str]) -> str:
    """The exporter's column name for an API field (``rolloutName`` -> ``rollout_name``)."""
    snake = _CAMEL.sub("_", field).lower()
    return renames.get(snake, snake)


def epoch_seconds(value: Any) -> float | None:
    """An API time (ISO 8601 text, or epoch seconds / milliseconds) as epoch seconds; None when it is none or no time."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value / 1000.0 if value > 1e11 else float(value)
    return None


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "json":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "datetime":
        return epoch_seconds(value)
    if kind in ("bool", "boolean"):
        return int(bool(value))
    return value


def frame(records: list[dict[str, Any]], spec: Sequence[Any]) -> Any:
    """A DataFrame of API records typed by the exporter's column ``spec``; fields outside it appended as they are."""
    from ..frames.build import build_frame
    from ..frames.columns import Column

    present = list(dict.fromkeys(key for record in records for key in record))
    declared = {c.name for c in spec}
    spec = [*spec, *(Column(key, "datetime", "") for key in present if key.endswith("_at") and key not in declared)]
    typed = []
    for column in spec:
        if records and column.name not in present:
            continue
        if column.kind in _NULLABLE and any(r.get(column.name) is None for r in records):
            column = Column(column.name, _NULLABLE[column.kind], column.sql, column.categories)
        typed.append(column)
    rows = [tuple(_cell(c.kind, r.get(c.name)) for c in typed) for r in records]
    df = build_frame(typed, [rows])
    for key in present:
        if key not in {c.name for c in typed}:
            df[key] = [r.get(key) for r in records]
    return df


def _until(chunks: Iterator[bytes], deadline: float, seconds: float) -> Iterator[bytes]:
    """``chunks``, Retryable once ``deadline`` (time.monotonic()) has passed: a dripping server cannot hold a read."""
    for chunk in chunks:
        if time.monotonic() > deadline:
            raise transport.Retryable(f"no whole answer within {seconds:g} s")
        yield chunk


class RemoteAPI:
    """Read runs and rollouts from the OpenReward API (``client.remote``)."""

    def __init__(self, target: Target, timeout: float = 30.0, retries: int = 3) -> None:
        self.target = target
        self.timeout = timeout
        self.retries = retries

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        shown = terminal_line(path, 200)
        problem = ""
        for attempt in range(1, self.retries + 2):
            try:
                return self._fetch(path, params)
            except transport.Retryable as exc:
                problem = str(exc)
            except (transport.Refused, transport.Fatal) as exc:
                raise RemoteAPIError(f"GET {shown}: {exc}") from None
            if attempt <= self.retries:
                time.sleep(transport.backoff(attempt))
        raise RemoteAPIError(f"GET {shown} at {terminal_line(self.target.url, 200)} failed: {problem}")

    def _fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        """One GET: its JSON answer, read within ``timeout`` seconds and ``MAX_ANSWER_BYTES``."""
        headers = {"x-api-key": self.target.api_key, "user-agent": transport.USER_AGENT}
        deadline = time.monotonic() + self.timeout
        per_read = httpx2.Timeout(min(self.timeout, 10.0))
        try:
            with httpx2.stream("GET", self.target.url + path, params=params, headers=headers, timeout=per_read) as r:
                body, whole = transport.prefix(_until(r.iter_bytes(), deadline, self.timeout), MAX_ANSWER_BYTES)
        except httpx2.TransportError as exc:
            raise transport.Retryable(transport.transport_problem(exc)) from exc
        transport.check(r, body)
        if not whole:
            raise transport.Fatal(f"the answer is larger than {MAX_ANSWER_BYTES:,} bytes")
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise transport.Fatal("the answer is not JSON") from None

    def _pages(self, path: str, key: str, limit: int | None, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        offset = 0
        while limit is None or offset < limit:
            size = PAGE if limit is None else min(PAGE, limit - offset)
            items, total = self._checked(
                answers.page, path, self._get(path, {**params, "limit": size, "offset": offset}), key
            )
            yield from items
            offset += len(items)
            if len(items) < size or (total is not None and offset >= total):
                return

    @staticmethod
    def _checked(check: Any, path: str, *args: Any) -> Any:
        """``check(path, *args)``, its BadAnswer as a RemoteAPIError."""
        try:
            return check(path, *args)
        except answers.BadAnswer as exc:
            raise RemoteAPIError(str(exc)) from None

    def runs(self, search: str | None = None, limit: int | None = None) -> Any:
        """Runs whose name contains ``search``, shaped like ``frames.runs_df`` (plus ``run_id``)."""
        from ..frames.runs import RUN_COLUMNS

        params = {"search": search} if search else {}
        records = [self._record(item, _RUN_RENAMES) for item in self._pages("/v1/runs", "runs", limit, params)]
        return frame(records, RUN_COLUMNS)

    def run(self, run_id: str) -> dict[str, Any]:
        """One run as the API describes it (its own field names)."""
        path = f"/v1/runs/{quote(run_id, safe='')}"
        return self._checked(answers.document, path, self._get(path))  # type: ignore[no-any-return]

    def rollouts(self, run_id: str, limit: int | None = None) -> Any:
        """The rollouts of a run (``run_id`` from :meth:`runs`), shaped like ``frames.rollouts_df``."""
        from ..frames.rollouts import ROLLOUT_COLUMNS

        run_name = self.run(run_id).get("name")
        path = f"/v1/runs/{quote(run_id, safe='')}/rollouts"
        records = [self._record(item, _RENAMES) for item in self._pages(path, "rollouts", limit, {})]
        for record in records:
            record.setdefault("run", run_name)
        return frame(records, ROLLOUT_COLUMNS)

    @staticmethod
    def _record(item: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
        return {column_name(key, renames): value for key, value in item.items()}
