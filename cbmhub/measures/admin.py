"""The measures in Django's admin, read-only: operators see everything; a secretariat officer
with staff access sees the records of their own organisation. Writes go through the pages, the
API and the commands (the services), which keep versions and check who may."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cbmhub.core import roles

from .models import Alert, Capability, Catalogue, Measure, Plan, ReportingCycle, Submission


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    organisation_path = "organisation_id"

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return roles.is_operator(user) or (
            bool(getattr(user, "is_staff", False)) and roles.organisation_id_of(user) is not None
        )

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if roles.is_operator(request.user):
            return queryset
        return queryset.filter(**{self.organisation_path: roles.organisation_id_of(request.user)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Catalogue)
class CatalogueAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "title", "organisation", "version", "adopted_on", "superseded_on"]
    list_filter = ["organisation"]
    search_fields = ["code", "title"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyScopedAdmin):
    organisation_path = "catalogue__organisation_id"
    list_display = ["code", "catalogue", "dimension", "text"]
    list_filter = ["catalogue", "dimension"]
    search_fields = ["code", "text"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyScopedAdmin):
    organisation_path = "measure__catalogue__organisation_id"
    list_display = ["title", "measure", "from_year", "to_year"]


@admin.register(ReportingCycle)
class CycleAdmin(ReadOnlyScopedAdmin):
    organisation_path = "catalogue__organisation_id"
    list_display = ["instrument", "year", "deadline", "catalogue"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyScopedAdmin):
    organisation_path = "cycle__catalogue__organisation_id"
    list_display = ["state", "measure", "cycle", "kind", "status", "visibility", "version"]
    list_filter = ["status", "kind", "visibility"]


@admin.register(Capability)
class CapabilityAdmin(ReadOnlyScopedAdmin):
    list_display = ["state", "kind", "quantity", "readiness", "visibility"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyScopedAdmin):
    list_display = ["signal", "state", "figure", "owner", "status", "next_step"]
