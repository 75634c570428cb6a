"""The precedent API, mounted at /api/v1/precedent/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", api.SearchView.as_view(), name="precedent-search"),
    path("paragraphs/<int:paragraph_id>/", api.ParagraphView.as_view(), name="precedent-paragraph"),
]
