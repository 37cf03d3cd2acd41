"""Exceptions raised by openreward_nb."""

from __future__ import annotations


class OpenRewardNBError(Exception):
    """Base class of the errors this package raises on purpose."""


class StoreWriteError(OpenRewardNBError, RuntimeError):
    """Events could not be written to the store; they stay queued and are retried."""


class StoreOpenError(OpenRewardNBError, RuntimeError):
    """The store could not be opened (bad URL, unreachable server, wrong credentials)."""


class RolloutClosedError(OpenRewardNBError, RuntimeError):
    """Something was logged to a rollout that has already ended."""


class ClientClosedError(OpenRewardNBError, RuntimeError):
    """Something was logged through a client that has been closed."""


class NotFoundError(OpenRewardNBError, LookupError):
    """A run or rollout asked for by name or id does not exist."""
