"""The exercises pages, mounted at /exercises/."""

from django.urls import URLPattern, URLResolver

app_name = "exercises"
urlpatterns: list[URLPattern | URLResolver] = []
