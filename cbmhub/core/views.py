from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user's action now, from every app that has a home panel (an app config's
    ``home_panel(request)`` returning HTML, empty when nothing waits), then the apps' links."""
    panels = []
    for config in apps.get_app_configs():
        panel = getattr(config, "home_panel", None)
        html = panel(request) if callable(panel) else ""
        if html and html.strip():
            panels.append(mark_safe(html))  # rendered by the app's own (escaping) template
    return render(request, "core/home.html", {"panels": panels})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
