"""Telling a busy database from a broken one.

SQLite has one writer at a time: a writer that waits longer than the busy timeout (20 s) gets
``OperationalError: database is locked``. PostgreSQL reports a lock or statement timeout, a
deadlock or a serialization failure. None of these is a fault of the request or of the code:
trying again a little later succeeds, so the answer is 503 with Retry-After, not 500.
"""

from __future__ import annotations

from django.db import OperationalError

# How long a client is asked to wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5

_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
# lock_not_available, query_canceled (statement/lock timeout), serialization_failure, deadlock
_POSTGRES_BUSY = {"55P03", "57014", "40001", "40P01"}


def is_database_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    if getattr(cause, "pgcode", None) in _POSTGRES_BUSY:
        return True
    return any(text in str(exc).lower() for text in _SQLITE_BUSY)
