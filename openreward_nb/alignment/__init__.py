"""Two rollouts aligned step by step (the step diff): which steps are the same, which changed, which
only one rollout has, and where they first part ways.

``align(a, b)`` gives an :class:`Alignment`; ``diff_df(a, b)`` its rows as a DataFrame; the view
is ``openreward_nb.diff(a, b)`` (:mod:`openreward_nb.viz.diffview`). The package is not called
``diff`` so that it never hides the ``openreward_nb.diff`` function once imported.
"""

from __future__ import annotations

from .align import OPS, Alignment, Block, Op, Row, align
from .frame import alignment_frame, diff_df

__all__ = ["OPS", "Alignment", "Block", "Op", "Row", "align", "alignment_frame", "diff_df"]
