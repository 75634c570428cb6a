"""The meetings API, mounted at /api/v1/meetings/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
