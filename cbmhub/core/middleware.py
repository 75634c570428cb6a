"""Request-wide behaviour: the user's time zone, and a readable page for a bare 405."""

from __future__ import annotations

import zoneinfo

from django.shortcuts import render
from django.utils import timezone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = getattr(getattr(request, "user", None), "time_zone", "") or ""
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
