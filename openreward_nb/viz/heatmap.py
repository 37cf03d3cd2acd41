"""The tasks heat map's data: tasks × runs, or × training steps when there is one run.

Each cell is a task's rollouts in one column, counted in the kernel (vectorised): attempts
(rollouts with a reward), successes and the reward's sum. Rows are sorted and paged in the
kernel, so the browser gets at most a page of rows at a time; more columns than fit are
aggregated (consecutive training steps into one column) or left out (runs past the first
:data:`MAX_COLUMNS`), and the title says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError
from ..frames.filters import Runs
from ..frames.groups import with_advantages
from ..frames.groups.table import training_steps
from ..frames.tasks.read import task_rollouts
from ..store.base import Store
from ..store.location import StoreSpec, open_store

#: most columns drawn; more training steps are merged into ranges, more runs left out
MAX_COLUMNS = 30
#: rows per page sent to the browser
ROWS_PER_PAGE = 200
#: characters of a task's name shown (the rest is cut, with an ellipsis)
TASK_CHARS = 120

SORTS: tuple[str, ...] = ("difficulty", "disagreement", "task")
COLORS: tuple[str, ...] = ("success", "reward")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``; else an error naming them."""
    if value not in choices:
        raise InvalidArgumentError(f"unknown {name} {value!r}; choose from {', '.join(choices)}")
    return value


def _short(value: float) -> float | None:
    """A number for the browser (4 significant digits), None for NaN."""
    return None if not math.isfinite(value) else float(f"{value:.4g}")


def step_label(value: float) -> str:
    """A training step as written: 3, not 3.0."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def clip(text: str, limit: int = TASK_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class HeatColumn:
    """One column: a run, or one run's training step (or range of steps)."""

    label: str
    run: str


def _step_columns(run: str, steps: pd.Series) -> tuple[list[HeatColumn], np.ndarray]:
    """Columns over one run's training steps, in order (merged into ranges past :data:`MAX_COLUMNS`), and
    each rollout's column. Steps that are not numbers are ordered as text."""
    missing = steps.isna().to_numpy()
    numeric = pd.api.types.is_numeric_dtype(steps.dtype)
    raw = steps.to_numpy(dtype="float64", na_value=np.nan) if numeric else steps.astype(str).to_numpy(dtype=object)
    values = np.unique(raw[~missing])
    chunks = (
        np.array_split(values, MAX_COLUMNS)
        if len(values) > MAX_COLUMNS
        else [values[i : i + 1] for i in range(len(values))]
    )
    columns = []
    for chunk in chunks:
        lo, hi = (step_label(v) if numeric else str(v) for v in (chunk[0], chunk[-1]))
        columns.append(HeatColumn(f"step {lo}" if lo == hi else f"steps {lo}–{hi}", run))
    chunk_of = np.repeat(np.arange(len(chunks)), [len(chunk) for chunk in chunks])
    codes = np.full(len(raw), len(columns), dtype=np.int64)  # the "no step" column, where there is none
    codes[~missing] = chunk_of[np.searchsorted(values, raw[~missing])]
    if missing.any():
        columns.append(HeatColumn("no step", run))
    return columns, codes


class TaskGrid:
    """Task rollouts laid out as the heat map: rows are tasks, columns runs (or one run's training steps).

    ``frame`` holds every rollout read (with its group's advantage) and its cell (``_row``,
    ``_col``); ``n``, ``successes`` and ``reward_sum`` are tasks × columns arrays.
    """

    def __init__(self, frame: pd.DataFrame, store: Store, threshold: float, step: str, note: str = "") -> None:
        self.store = store
        self.threshold = threshold
        self.step = step
        self.note = note
        runs = list(dict.fromkeys(frame["run"]))
        self.by_step = len(runs) == 1 and bool(frame["step"].notna().any())
        if self.by_step:
            self.columns, cols = _step_columns(runs[0], frame["step"])
        else:
            self.columns = [HeatColumn(run, run) for run in runs]
            cols = pd.Categorical(frame["run"], categories=runs).codes.astype(np.int64)
        rows, tasks = pd.factorize(frame["task"])
        self.tasks: list[str] = [str(t) for t in tasks]
        self.frame = frame.assign(_row=rows, _col=cols)
        shape = (len(self.tasks), len(self.columns))
        flat = rows * shape[1] + cols
        size = shape[0] * shape[1]
        scored = frame["reward"].notna().to_numpy()

        def total(weights: np.ndarray | None) -> np.ndarray:
            return np.bincount(
                flat[scored], weights=None if weights is None else weights[scored], minlength=size
            ).reshape(shape)

        self.n = total(None).astype(np.int64)
        self.successes = total(frame["success"].to_numpy(dtype="float64", na_value=0.0))
        self.reward_sum = total(frame["reward"].to_numpy(dtype="float64", na_value=0.0))
        self.rollouts = np.bincount(flat, minlength=size).reshape(shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            #: success rate and mean reward per cell (NaN where the cell has no attempt)
            self.rates = np.where(self.n > 0, self.successes / self.n, np.nan)
            self.means = np.where(self.n > 0, self.reward_sum / self.n, np.nan)

    @classmethod
    def read(
        cls,
        runs: Runs,
        *,
        by: str | None,
        step: str,
        reward: str,
        threshold: float,
        store: StoreSpec,
        filters: dict[str, Any],
    ) -> TaskGrid:
        """The grid of the rollouts ``rollouts_df(runs, **filters)`` selects (keyed by task as in tasks_df)."""
        source = open_store(store, read_only=True)
        frame = task_rollouts(runs, by=by, reward=reward, threshold=threshold, store=source, filters=filters)
        frame = with_advantages(frame.assign(step=training_steps(frame, step)))
        names = list(dict.fromkeys(frame["run"]))
        note = ""
        if len(names) > MAX_COLUMNS:
            note = f"the first {MAX_COLUMNS} of {len(names)} runs (pass runs= to choose)"
            frame = frame[frame["run"].isin(names[:MAX_COLUMNS])]
        return cls(frame.reset_index(drop=True), source, threshold, step, note)

    # --- what a cell shows -------------------------------------------------------------------
    def metric(self, color: str) -> np.ndarray:
        """The numbers a colouring draws: success rates or mean rewards."""
        return self.rates if color == "success" else self.means

    def reward_scale(self) -> tuple[float, float]:
        """The lowest and highest mean reward of a cell (what the reward colours span)."""
        means = self.means
        if not np.isfinite(means).any():
            return 0.0, 1.0
        lo, hi = float(np.nanmin(means)), float(np.nanmax(means))
        return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)

    # --- order ---------------------------------------------------------------------------------
    def row_scores(self, color: str) -> tuple[np.ndarray, np.ndarray]:
        """Per task: its mean over columns of the color's metric, and the spread (max - min) between columns."""
        values = self.metric(color)
        present = np.isfinite(values)
        count = present.sum(axis=1)
        filled = np.where(present, values, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(count > 0, filled.sum(axis=1) / count, np.nan)
        high = np.where(present, values, -np.inf).max(axis=1, initial=-np.inf)
        low = np.where(present, values, np.inf).min(axis=1, initial=np.inf)
        spread = np.where(count > 1, high - low, np.nan)
        return mean, spread

    def order(self, sort: str, color: str) -> np.ndarray:
        """Row indices in display order: ``difficulty`` hardest first (lowest mean), ``disagreement`` the
        largest spread between columns first, ``task`` by name. Ties and missing values keep task order."""
        rows = np.arange(len(self.tasks))
        if sort == "task":
            return np.array(sorted(rows, key=lambda i: self.tasks[i]), dtype=np.int64)
        mean, spread = self.row_scores(color)
        key = mean if sort == "difficulty" else -spread
        key = np.where(np.isnan(key), np.inf, key)  # tasks without the number last
        return np.lexsort((rows, key))

    def row_payload(self, i: int) -> dict[str, Any]:
        """One task's row as the browser draws it: ``[success rate, mean reward, attempts]`` per column
        (None where the task has no rollout there)."""
        cells = [
            [_short(self.rates[i, j]), _short(self.means[i, j]), int(self.n[i, j])] if self.rollouts[i, j] else None
            for j in range(len(self.columns))
        ]
        return {"i": int(i), "t": clip(self.tasks[i]), "c": cells}

    def page(self, sort: str, color: str, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` rows in display order."""
        return [self.row_payload(int(i)) for i in self.order(sort, color)[: max(0, limit)]]

    # --- a cell's rollouts -------------------------------------------------------------------------
    def group(self, row: int, col: int) -> pd.DataFrame:
        """The rollouts of one cell, best first (highest reward, then advantage; unscored last)."""
        frame = self.frame
        cell = frame[(frame["_row"] == row) & (frame["_col"] == col)]
        return cell.sort_values(["reward", "advantage"], ascending=False, na_position="last", kind="stable")

    def describe_column(self) -> str:
        """What the columns are, for titles."""
        if self.by_step:
            return f"training steps ({self.step}) of run {self.columns[0].run}"
        return "runs"
