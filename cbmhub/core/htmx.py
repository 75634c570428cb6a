"""htmx helpers every app's views share."""

from __future__ import annotations

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    """Whether to answer with a partial (``templates/<app>/_*.html``): an htmx request, but not
    the one htmx sends to restore a page from history, which needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request
