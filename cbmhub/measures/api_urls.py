"""The measures API, mounted at /api/v1/measures/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver, path, re_path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("catalogues", api.CatalogueViewSet, basename="measures-catalogue")
router.register("measures", api.MeasureViewSet, basename="measures-measure")
router.register("coordinators", api.CoordinatorViewSet, basename="measures-coordinator")
router.register("plans", api.PlanViewSet, basename="measures-plan")
router.register("initiatives", api.InitiativeViewSet, basename="measures-initiative")
router.register("cycles", api.CycleViewSet, basename="measures-cycle")
router.register("submissions", api.SubmissionViewSet, basename="measures-submission")
router.register("capabilities", api.CapabilityViewSet, basename="measures-capability")
router.register("alerts", api.AlertViewSet, basename="measures-alert")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "submissions/<int:pk>/acknowledge/",
        api.AcknowledgeView.as_view(),
        name="measures-submission-acknowledge",
    ),
    path("cycles/<int:pk>/matrix/", api.MatrixView.as_view(), name="measures-matrix"),
    re_path(
        r"^cycles/(?P<pk>[0-9]+)/publication/(?P<fmt>pdf|docx)/$",
        api.CyclePublicationView.as_view(),
        name="measures-cycle-publication",
    ),
    re_path(
        r"^plans/(?P<pk>[0-9]+)/report/(?P<fmt>pdf|docx)/$",
        api.PlanReportView.as_view(),
        name="measures-plan-report",
    ),
    path(
        "catalogues/<slug:code>/import/", api.ImportView.as_view(), name="measures-catalogue-import"
    ),
    re_path(
        r"^catalogues/(?P<code>[-a-zA-Z0-9_]+)/export/(?P<fmt>csv|json)/$",
        api.CatalogueExportView.as_view(),
        name="measures-catalogue-export",
    ),
    path("warning/", api.WarningView.as_view(), name="measures-warning"),
    path("thresholds/<str:acronym>/", api.ThresholdView.as_view(), name="measures-threshold"),
    *router.urls,
]
