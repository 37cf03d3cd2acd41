"""``rollouts_df``: rollouts of a store as a DataFrame, filtered in SQL."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...store.location import StoreSpec, open_store
from ..annotations.columns import reading_labels
from ..build import build_frame
from ..columns import select_list
from ..filters import Runs, rollout_where
from ..pages import rollout_pages
from .columns import ROLLOUT_COLUMNS


def rollouts_df(runs: Runs = None, *, store: StoreSpec = None, **filters: Any) -> pd.DataFrame:
    """One row per rollout of ``runs`` (a name or names; all runs by default) matching ``filters``.

    Filters (applied in SQL): ``rollout_id``, ``environment``, ``variant``, ``split``,
    ``status``, ``model`` (a value or a list of values), ``since`` / ``until`` (creation
    time), ``metadata`` / ``task_spec`` / ``run_info`` / ``rollout_info`` (dicts of
    key -> value that must be equal), ``min_reward`` (on ``total_reward``), ``label`` (a
    label or a list: rollouts given any of them) and ``unlabelled=True`` (rollouts not
    labelled yet). Reads the rollouts table (its aggregates are kept current as events are
    written) and, for the ``labels`` column (the labels each rollout was given as a whole,
    a sorted tuple), the annotations.
    """
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters)
    columns = reading_labels(ROLLOUT_COLUMNS, source, "r")
    with source.snapshot():
        return build_frame(columns, rollout_pages(source, select_list(columns), where))
