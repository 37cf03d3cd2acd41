"""pass@k: the chance that at least one of k attempts drawn from a task's n attempts succeeds.

The unbiased estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on
Code"): with c successes among n attempts, pass@k = 1 - C(n - c, k) / C(n, k). The ratio
of binomials is computed as the product of (1 - k / i) for i from n - c + 1 to n, summed as
logarithms, so no huge binomial is ever formed. Undefined (NaN) where n < k.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ...errors import InvalidArgumentError


def check_ks(k: int | Iterable[int]) -> tuple[int, ...]:
    """The k values asked for, each a whole number >= 1, in order without repeats; else an error."""
    values = list(k) if isinstance(k, Iterable) and not isinstance(k, str) else [k]
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in values):
        raise InvalidArgumentError(f"k must be a whole number >= 1 or a sequence of them, got {k!r}")
    return tuple(dict.fromkeys(int(v) for v in values))


def pass_at_k(n: Any, c: Any, k: int) -> np.ndarray:
    """pass@k for each (n attempts, c successes) pair of the arrays ``n`` and ``c`` (NaN where n < k)."""
    n = np.asarray(n, dtype=np.int64)
    c = np.asarray(c, dtype=np.int64)
    out = np.full(n.shape, np.nan)
    defined = n >= k
    certain = defined & (n - c < k)  # every draw of k holds a success
    out[certain] = 1.0
    rest = defined & ~certain
    if rest.any():
        top = int(n[rest].max())
        # logs[m - k] = sum of log(1 - k / i) for i in k + 1 .. m; logs[n - k] - logs[n - c - k] is the
        # sum for i in n - c + 1 .. n, the log of C(n - c, k) / C(n, k)
        logs = np.concatenate(([0.0], np.cumsum(np.log1p(-k / np.arange(k + 1, top + 1)))))
        n_rest, c_rest = n[rest], c[rest]
        # 0.0 - ...: a pass@k of 0 is 0.0, not the -0.0 that negating expm1(0) gives
        out[rest] = 0.0 - np.expm1(logs[n_rest - k] - logs[n_rest - c_rest - k])
    return out
