"""A time bound for one call that fails the test instead of hanging it: exponential
backtracking in a regular expression would otherwise run for days. The regular-expression
engine checks for signals as it works, so the alarm interrupts it too."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TooSlow(AssertionError):
    pass


@contextmanager
def within(seconds: float, what: str = "the call") -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield  # signals reach the main thread only; the bound is then not enforced
        return

    def expire(signum: int, frame: object) -> None:
        raise TooSlow(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
