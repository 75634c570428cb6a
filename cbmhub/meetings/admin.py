"""The meetings in Django's admin: read-only (every write goes through the services, which check
who may do it and keep numbering and sequences right), each list scoped like the pages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import permissions
from .models import Meeting, Note, NoteFormula, NoteSeries


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ["title", "body", "kind", "status", "starts_at", "restricted"]
    list_filter = ["status", "kind", "organisation"]
    search_fields = ["title"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(permissions.meeting_filter(request.user))


@admin.register(Note)
class NoteAdmin(ReadOnly):
    list_display = ["symbol", "subject", "date", "status", "organisation"]
    list_filter = ["status", "organisation"]
    search_fields = ["symbol", "subject"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(permissions.note_filter(request.user))


@admin.register(NoteSeries)
class NoteSeriesAdmin(ReadOnly):
    list_display = ["pattern", "name", "organisation", "last_number"]


@admin.register(NoteFormula)
class NoteFormulaAdmin(ReadOnly):
    list_display = ["organisation", "language", "sender"]
