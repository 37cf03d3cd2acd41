"""SIGTERM, what ``kill``, batch schedulers and container runtimes send, ends Python without running
``atexit``: the events logged in the last moments (up to one flush interval) and the end of the
rollouts still open would be lost. When nothing else handles SIGTERM, the first recording client
installs a handler that saves them, then lets the signal end the process as it would have.

The handler puts the default action back before anything else, so a second SIGTERM ends the
process at once, whatever the first is doing.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

#: how long the handler waits for the store to take what is queued before saving it to a rescue file
SIGTERM_FLUSH_TIMEOUT_S = 5.0

_installed = False


def save_on_sigterm(save: Callable[[str], None]) -> None:
    """Run ``save(reason)`` on SIGTERM, then die of it; only from the main thread, and only where SIGTERM
    still has its default action (a program or framework that handles it keeps its own way)."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return
        signal.signal(signal.SIGTERM, _handler(save))
    except (ValueError, OSError, AttributeError):  # no signals here (a subinterpreter, a platform without them)
        return
    _installed = True


def _handler(save: Callable[[str], None]) -> Callable[[int, FrameType | None], None]:
    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            save("the process was terminated (SIGTERM)")
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    return on_sigterm
