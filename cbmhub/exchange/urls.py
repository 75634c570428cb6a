"""The exchange pages, mounted at /exchange/."""

from django.urls import URLPattern, URLResolver

app_name = "exchange"
urlpatterns: list[URLPattern | URLResolver] = []
