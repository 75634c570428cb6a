"""Request-wide behaviour: the user's time zone, a readable page for a bare 405, and a
retryable answer when the database is busy."""

from __future__ import annotations

import zoneinfo

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import roles
from .db import RETRY_AFTER_SECONDS, is_database_busy


def _time_zone_name(request) -> str:
    """The user's own time zone, else their point-of-contact record's (one indexed query; not
    cached in the session, so an edit of the record shows at once), else UTC."""
    user = getattr(request, "user", None)
    name = getattr(user, "time_zone", "") or ""
    if name or not roles.is_signed_in(user):
        return name
    # Duck-typed: core imports no domain app; accounts.User knows its point of contact.
    lookup = getattr(user, "point_of_contact_time_zone", None)
    return lookup() if callable(lookup) else ""


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = _time_zone_name(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name) if tz_name else zoneinfo.ZoneInfo("UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MethodNotAllowedPageMiddleware:
    """A page opened by address that only takes a form submission gets an explanation instead
    of the browser's empty error (views answer 405 with no body). The API keeps its JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith("/api/")
            and request.method == "GET"
        ):
            page = render(request, "405.html", {"request_path": request.path}, status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class BusyDatabaseMiddleware:
    """A request that could not get the database because another writer held it (a long
    import, SQLite's single writer) is answered 503 with Retry-After, never 500: nothing was
    changed and the same request succeeds later. The API gets its JSON error format; a page
    says so in words. Other database errors stay 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        message = _("The database is busy with another change; nothing was changed. Try again.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "busy", "message": message, "details": []}}, status=503
            )
        else:
            try:
                response = render(request, "503.html", {"message": message}, status=503)
            except Exception:  # the page itself could not be drawn: the words alone
                response = HttpResponse(message, status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
