"""Every error this package raises on purpose, under one base: :class:`OpenRewardNBError`.

Each also derives from the built-in it refines (``LookupError``, ``RuntimeError``...), so
code written against the built-ins keeps working. The CLI reports these, and only these,
as user errors; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class OpenRewardNBError(Exception):
    """Base class of the errors this package raises on purpose."""


class StoreWriteError(OpenRewardNBError, RuntimeError):
    """Events could not be written to the store; they stay queued and are retried."""


class StoreOpenError(OpenRewardNBError, RuntimeError):
    """The store could not be opened (bad URL, unreachable server, wrong credentials)."""


class StoreUnavailable(OpenRewardNBError, RuntimeError):
    """The store could not take a batch just now (locked, disk full, connection lost): retry later."""


class RolloutClosedError(OpenRewardNBError, RuntimeError):
    """Something was logged to a rollout that has already ended."""


class ClientClosedError(OpenRewardNBError, RuntimeError):
    """Something was logged through a client that has been closed."""


class NotFoundError(OpenRewardNBError, LookupError):
    """A run or rollout asked for by name or id does not exist."""


class AmbiguousIdError(OpenRewardNBError, LookupError):
    """A rollout id prefix (or name) matches more than one rollout."""


class DetachedRecordError(OpenRewardNBError, RuntimeError):
    """A record built without a store was asked for something only the store holds."""


class RemoteAPIError(OpenRewardNBError, RuntimeError):
    """The OpenReward API could not answer a read (network trouble, bad key, not found)."""


class StoreNotFoundError(NotFoundError):
    """A store was asked for by a reader (a view, a frame, a read command) and none exists there."""


class MissingExtraError(OpenRewardNBError, ImportError):
    """A part of the package needs a library this environment lacks; the message says what to install."""


class InvalidArgumentError(OpenRewardNBError, ValueError):
    """A command or call was given something it cannot use; the message says what and why."""


class UnknownProviderError(OpenRewardNBError, LookupError):
    """A provider asked for by name (``rollout.log_provider``) has no folder in ``openreward_nb.providers``."""


class UnreadableValueWarning(UserWarning):
    """A stored value could not be read (bad JSON, a time out of range...); it shows as missing."""
