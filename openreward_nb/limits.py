"""The bounds of what a store accepts, checked on every way in (the Python API and the ingest server).

One place, so that what the ingest server refuses and what the recording API refuses
cannot drift apart, and every reader can rely on what was let in.
"""

from __future__ import annotations

#: longest rollout or event id
MAX_ID_CHARS = 256
#: longest run, rollout, environment, variant or split name
MAX_NAME_CHARS = 1024
#: largest event index
MAX_INDEX = 2**31 - 1
#: the latest time a store holds, in seconds since 1970: what a pandas Timestamp (int64
#: nanoseconds, up to 2262-04-11) and a Python datetime can both hold
MAX_TIMESTAMP_S = 9_223_372_036.0
#: the same bound in milliseconds, the unit of the OpenReward wire format
MAX_TIMESTAMP_MS = int(MAX_TIMESTAMP_S * 1000)
#: the largest token count (a signed 64-bit integer, what every store's column holds)
MAX_TOKENS = 2**63 - 1

#: the characters of an id that arrives from the wire (a regular expression's class): ids go
#: into URLs, file names, HTML attributes and terminal lines, so they are kept to characters
#: that mean nothing in any of them. The OpenReward SDK's ids (uuid4 text) and this package's fit.
ID_CHARS = "A-Za-z0-9._:-"
