"""The exchange API, mounted at /api/v1/exchange/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
