"""The measures pages, mounted at /measures/."""

from django.urls import URLPattern, URLResolver

app_name = "measures"
urlpatterns: list[URLPattern | URLResolver] = []
