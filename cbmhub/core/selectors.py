"""Read helpers every app's selectors share."""

from __future__ import annotations

from typing import Any

from django.http import Http404


def int_or_404(value: Any) -> int:
    """An id from a URL or a query as an int; anything else is a 404 (no such record), never
    a 500 and never a lookup with a value the database would refuse."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not a valid id.") from None
