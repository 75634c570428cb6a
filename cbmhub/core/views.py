from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .hooks import app_panels


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user's action now, from every app that has a home panel (an app config's
    ``home_panel(request)`` returning HTML, empty when nothing waits), then the apps' links."""
    return render(request, "core/home.html", {"panels": app_panels("home_panel", request)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
