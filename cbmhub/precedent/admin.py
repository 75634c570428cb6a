"""The precedent index in the Django admin: operators only. Sources' provenance and terms are
edited here; texts are read-only (indexed by ``cbmhub precedent index`` or the sync of adopted
revisions)."""

from typing import Any

from django.contrib import admin

from cbmhub.core import roles

from .models import Source, Text


class OperatorsOnly(admin.ModelAdmin):
    def has_module_permission(self, request: Any) -> bool:
        return roles.is_operator(request.user)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return roles.is_operator(request.user)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return roles.is_operator(request.user)


@admin.register(Source)
class SourceAdmin(OperatorsOnly):
    list_display = ["name", "slug", "kind", "acknowledgement", "organisation"]
    readonly_fields = ["slug", "kind"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # sources are made by the index command and the revision sync


@admin.register(Text)
class TextAdmin(OperatorsOnly):
    list_display = ["symbol", "date", "language", "body", "source", "organisation"]
    list_filter = ["source", "language"]
    search_fields = ["symbol", "title"]
    readonly_fields = [f.name for f in Text._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
