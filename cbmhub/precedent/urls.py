"""The precedent pages, mounted at /precedent/."""

from django.urls import URLPattern, URLResolver

app_name = "precedent"
urlpatterns: list[URLPattern | URLResolver] = []
