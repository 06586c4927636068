"""What reading one file may cost: at most MAX_TEXT_CHARS characters in MAX_LINES lines (a
text file and a PDF alike), and a time limit, so that ingest of any file ends within a known time.

`time_limit(seconds)` runs its block with a deadline. In the main thread a real-time timer
raises `OverTime` wherever the work is when the time is up (inside pypdf, inside a regular
expression's loop between two matches …); in any thread, `check()` between steps raises it too.
`OverTime` is a BaseException, so the `except Exception` of a library around its own repairs
cannot swallow it. The caller turns it into a message naming the file and `where` it stopped.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_TEXT_CHARS = 20_000_000
MAX_LINES = 500_000  # 20 million characters in lines of 40; a 3,000-page PDF has about 180,000


class OverTime(BaseException):
    def __init__(self, limit: TimeLimit):
        super().__init__(f"over {limit.seconds} s")
        self.limit = limit


class TimeLimit:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.where = ""  # how far the work got, for the message ("side 12")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverTime(self)


_CURRENT: ContextVar[TimeLimit | None] = ContextVar("time_limit", default=None)


def check() -> None:
    """Raise OverTime if the time limit around this work has passed (no limit: nothing)."""
    if (limit := _CURRENT.get()) is not None:
        limit.check()


def note(where: str) -> None:
    """Record how far the work has got, for the message if the time runs out."""
    if (limit := _CURRENT.get()) is not None:
        limit.where = where


@contextmanager
def time_limit(seconds: float) -> Iterator[TimeLimit]:
    limit = TimeLimit(seconds)
    token = _CURRENT.set(limit)
    timer = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
             and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))  # never over another timer
    if timer:
        def ring(signum, frame):
            raise OverTime(limit)

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield limit
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        _CURRENT.reset(token)
