"""Request-wide behaviour: the user's time zone, and a readable page for a bare 405."""

from __future__ import annotations

import zoneinfo

from django.shortcuts import render
from django.utils import timezone


def _time_zone_name(request) -> str:
    """The user's own time zone, else their point-of-contact record's (one indexed query; not
    cached in the session, so an edit of the record shows at once), else UTC."""
    user = getattr(request, "user", None)
    name = getattr(user, "time_zone", "") or ""
    if name or not getattr(user, "is_authenticated", False):
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
