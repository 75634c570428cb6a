"""htmx helpers every app's views share."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


def htmx_details(request: HttpRequest) -> HtmxDetails | None:
    """What ``django_htmx.middleware.HtmxMiddleware`` put on the request as ``request.htmx``
    (absent when the middleware did not run: a request built by hand, a test factory)."""
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return details


def is_partial(request: HttpRequest) -> bool:
    """Whether to answer with a partial (``templates/<app>/_*.html``): an htmx request, but not
    the one htmx sends to restore a page from history, which needs the whole page."""
    htmx = htmx_details(request)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element an htmx request will swap (``HX-Target``), else None."""
    htmx = htmx_details(request)
    return htmx.target if htmx else None
