"""Capture scopes: which rollout the SDK calls made *here* belong to (contextvars).

Each asyncio task and thread sees its own scope, so two tasks recording two rollouts at
once in one cell do not mix. Outside any scope the wrappers only read one contextvar.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, TypeVar

from .recorder import Recorder

if TYPE_CHECKING:
    from ..rollout import Rollout

F = TypeVar("F", bound=Callable[..., Any])

ACTIVE: ContextVar[Recorder | None] = ContextVar("openreward_nb_capture", default=None)


class Capture:
    """Record every provider SDK call made inside it into ``rollout``.

    Use as ``with client.rollout.capture(rollout):`` (or ``async with``), or as a decorator
    on a sync or async function: each call of the function is captured.
    """

    def __init__(self, rollout: Rollout) -> None:
        self.rollout = rollout
        self.recorder: Recorder | None = None
        self._token: Token[Recorder | None] | None = None

    def __enter__(self) -> Recorder:
        from .sdks import install_all

        install_all()
        self.recorder = Recorder(self.rollout)
        self._token = ACTIVE.set(self.recorder)
        return self.recorder

    def __exit__(self, *exc: Any) -> None:
        try:
            if self.recorder is not None:
                self.recorder.close()
        finally:
            if self._token is not None:
                ACTIVE.reset(self._token)
                self._token = None

    async def __aenter__(self) -> Recorder:
        return self.__enter__()

    async def __aexit__(self, *exc: Any) -> None:
        self.__exit__(*exc)

    def __call__(self, func: F) -> F:
        rollout = self.rollout
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with Capture(rollout):
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with Capture(rollout):
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]
