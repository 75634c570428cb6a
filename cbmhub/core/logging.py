"""Logging pieces for settings.LOGGING."""

from __future__ import annotations

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """A refused request (403, 404 and other 4xx) is logged as one line: the client's error is
    expected and its traceback (PermissionDenied raised in a view) says nothing an operator
    needs, while it floods the log. Server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
