"""The directory API, mounted at /api/v1/directory/ (URL names in the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="directory-organisation")
router.register("bodies", api.BodyViewSet, basename="directory-body")
router.register("states", api.StateViewSet, basename="directory-state")
router.register("memberships", api.MembershipViewSet, basename="directory-membership")
router.register(
    "points-of-contact", api.PointOfContactViewSet, basename="directory-point-of-contact"
)

urlpatterns = [
    path("import", api.ImportView.as_view(), name="directory-import"),
    path("export", api.ExportView.as_view(), name="directory-export"),
    *router.urls,
]
