"""The exercises API, mounted at /api/v1/exercises/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("scenarios", api.ScenarioViewSet, basename="exercises-scenario")
router.register("injects", api.InjectViewSet, basename="exercises-inject")
router.register("runs", api.RunViewSet, basename="exercises-run")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "scenarios/<int:scenario_id>/import/",
        api.ScenarioImportView.as_view(),
        name="exercises-scenario-import",
    ),
    path("runs/<int:run_id>/results/", api.RunResultsView.as_view(), name="exercises-run-results"),
    path("runs/<int:run_id>/scores/", api.RunScoreView.as_view(), name="exercises-run-score"),
    path(
        "runs/<int:run_id>/feedback/",
        api.RunFeedbackView.as_view(),
        name="exercises-run-feedback",
    ),
    path(
        "runs/<int:run_id>/injects/<int:item_id>/<str:action>/",
        api.RunInjectActionView.as_view(),
        name="exercises-run-inject-action",
    ),
    path(
        "runs/<int:run_id>/<str:action>/",
        api.RunActionView.as_view(),
        name="exercises-run-action",
    ),
    *router.urls,
]
