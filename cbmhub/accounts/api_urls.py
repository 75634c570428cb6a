from django.urls import path

from . import api

# Mounted at the API root (/api/v1/), inside the "api" namespace.
urlpatterns = [
    path("me", api.me, name="me"),
]
