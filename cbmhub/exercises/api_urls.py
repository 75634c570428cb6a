"""The exercises API, mounted at /api/v1/exercises/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
