"""``client.remote``: runs and rollouts read back from the OpenReward API, as DataFrames.

``GET /v1/runs``, ``/v1/runs/{id}`` and ``/v1/runs/{id}/rollouts``, paged. The frames have
the columns and dtypes of the local exporter (``frames.runs_df`` / ``frames.rollouts_df``)
for every field the API sends that means the same thing (``rolloutName`` -> ``rollout_name``,
``num_messages`` -> ``n_events``, times as UTC datetimes, JSON objects flattened into
``metadata.<key>`` columns); other fields follow as they are, in snake_case. A run's id,
needed for :meth:`RemoteAPI.rollouts`, is in the ``run_id`` column.
"""

from __future__ import annotations

import json
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

from . import transport
from .target import Target

PAGE = 100
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


def epoch_seconds(value: Any) -> Any:
    """An API time (ISO 8601 text, or epoch seconds / milliseconds) as epoch seconds; None stays None."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1e11:
        return value / 1000.0
    return value


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


class RemoteAPI:
    """Read runs and rollouts from the OpenReward API (``client.remote``)."""

    def __init__(self, target: Target, timeout: float = 30.0, retries: int = 3) -> None:
        self.target = target
        self.timeout = timeout
        self.retries = retries

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        headers = {"x-api-key": self.target.api_key, "user-agent": transport.USER_AGENT}
        problem = ""
        for attempt in range(1, self.retries + 2):
            try:
                response = httpx2.get(self.target.url + path, params=params, headers=headers, timeout=self.timeout)
                transport.check(response)
                return response.json()
            except httpx2.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except transport.Retryable as exc:
                problem = str(exc)
            except (transport.Refused, transport.Fatal) as exc:
                raise RemoteAPIError(f"GET {path}: {exc}") from None
            if attempt <= self.retries:
                time.sleep(transport.backoff(attempt))
        raise RemoteAPIError(f"GET {path} at {self.target.url} failed: {problem}")

    def _pages(self, path: str, key: str, limit: int | None, params: dict[str, Any]) -> Iterator[dict]:
        offset = 0
        while limit is None or offset < limit:
            size = PAGE if limit is None else min(PAGE, limit - offset)
            page = self._get(path, {**params, "limit": size, "offset": offset})
            items = page.get(key) or []
            yield from items
            offset += len(items)
            if len(items) < size or offset >= page.get("total", float("inf")):
                return

    def runs(self, search: str | None = None, limit: int | None = None) -> Any:
        """Runs whose name contains ``search``, shaped like ``frames.runs_df`` (plus ``run_id``)."""
        from ..frames.runs import RUN_COLUMNS

        params = {"search": search} if search else {}
        records = [self._record(item, _RUN_RENAMES) for item in self._pages("/v1/runs", "runs", limit, params)]
        return frame(records, RUN_COLUMNS)

    def run(self, run_id: str) -> dict[str, Any]:
        """One run as the API describes it (its own field names)."""
        return self._get(f"/v1/runs/{quote(run_id, safe='')}")

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
