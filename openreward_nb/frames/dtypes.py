"""The pandas dtypes frames use for text and instants."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: pandas' text dtype (the default ``str`` of pandas 3): Arrow storage, NaN for missing
STRING = pd.StringDtype("pyarrow", na_value=np.nan)
#: instants are timezone-aware, in UTC, to the microsecond
DATETIME = pd.DatetimeTZDtype("us", "UTC")
