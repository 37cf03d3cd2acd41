"""``runs_df``: the runs of a store as a DataFrame."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...store.location import StoreSpec, open_store
from ..build import build_frame
from ..columns import select_list
from ..filters import Runs, rollout_where
from .columns import RUN_COLUMNS


def runs_df(runs: Runs = None, *, store: StoreSpec = None, **filters: Any) -> pd.DataFrame:
    """One row per run (oldest first) with counts, mean reward and tokens over its rollouts.

    Takes the filters of :func:`rollouts_df`; with filters, each run's numbers cover its
    matching rollouts and runs without any are left out.
    """
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters)
    sql = source.translate(
        f"SELECT {select_list(RUN_COLUMNS)} FROM runs n JOIN rollouts r ON r.run_name = n.name "
        f"WHERE {where.sql} GROUP BY n.name, n.created_at ORDER BY n.created_at, n.name"
    )
    return build_frame(RUN_COLUMNS, [source.query(sql, where.params)])
