"""The meetings pages, mounted at /meetings/."""

from django.urls import URLPattern, URLResolver

app_name = "meetings"
urlpatterns: list[URLPattern | URLResolver] = []
