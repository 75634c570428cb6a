"""The exchange API, mounted at /api/v1/exchange/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("arrangements", api.ArrangementViewSet, basename="exchange-arrangement")
router.register("subscriptions", api.SubscriptionViewSet, basename="exchange-subscription")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("objects/", api.ObjectListView.as_view(), name="exchange-objects"),
    path("incidents/", api.IncidentView.as_view(), name="exchange-incident"),
]
