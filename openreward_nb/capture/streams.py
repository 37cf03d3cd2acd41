"""Teeing streamed SDK responses: items pass through untouched while the capture sees each one.

``finish(error)`` runs exactly once: when the stream is exhausted, fails, is closed, or
is dropped early (the consumer stops iterating).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

OnItem = Callable[[Any], None]
OnEnd = Callable[[BaseException | None], None]


def once(finish: OnEnd) -> OnEnd:
    """``finish`` guarded so only its first call runs."""
    lock = threading.Lock()
    done = False

    def guarded(error: BaseException | None) -> None:
        nonlocal done
        with lock:
            if done:
                return
            done = True
        finish(error)

    return guarded


def tee_iterator(source: Iterator[Any], on_item: OnItem, finish: OnEnd) -> Iterator[Any]:
    """A generator yielding ``source``'s items, reporting each and the end."""
    try:
        for item in source:
            on_item(item)
            yield item
    except GeneratorExit:
        finish(None)
        raise
    except BaseException as exc:
        finish(exc)
        raise
    finish(None)


async def tee_async_iterator(source: AsyncIterator[Any], on_item: OnItem, finish: OnEnd) -> AsyncIterator[Any]:
    """The async counterpart of :func:`tee_iterator`."""
    try:
        async for item in source:
            on_item(item)
            yield item
    except GeneratorExit:
        finish(None)
        raise
    except BaseException as exc:
        finish(exc)
        raise
    finish(None)


def tee_sdk_stream(stream: Any, on_item: OnItem, finish: OnEnd, is_async: bool) -> Any:
    """Tee an openai / anthropic ``Stream`` or ``AsyncStream`` in place and return it.

    Both SDKs iterate through the stream's ``_iterator``; replacing it on the instance
    covers plain iteration, ``__next__`` and the SDKs' own stream helpers. ``close()``
    (also what ``with`` does on exit) reports the end of a stream dropped early.
    """
    finish = once(finish)
    # No public hook sees a Stream's items, and a proxy would break the SDKs' stream helpers.
    source = stream._iterator  # noqa: SLF001
    close = stream.close
    if is_async:
        stream._iterator = tee_async_iterator(source, on_item, finish)  # noqa: SLF001

        async def closing() -> None:
            try:
                await close()
            finally:
                finish(None)

        stream.close = closing
    else:
        stream._iterator = tee_iterator(source, on_item, finish)  # noqa: SLF001

        def closing_sync() -> None:
            try:
                close()
            finally:
                finish(None)

        stream.close = closing_sync
    return stream
