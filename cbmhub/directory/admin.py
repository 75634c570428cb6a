"""Django admin for the directory, for platform operators and secretariat officers.

The admin writes records directly, not through the services, so two things are done here that
the services do elsewhere: every save and delete leaves a ChangeRecord, and who may change what
follows permissions.py (a secretariat officer changes their own organisation, its bodies and
memberships, and states; points of contact stay with each state's focal point). The history
itself is read-only: nobody edits the record of what happened.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from cbmhub.core import roles

from . import permissions
from .choices import ChangeAction
from .models import (
    CHANGE_RECORD_FIELDS,
    Body,
    ChangeRecord,
    ContactChannel,
    Membership,
    Organisation,
    PointOfContact,
    State,
    StateAlias,
)
from .services import (
    POC_FIELDS,
    changed_fields,
    point_of_contact_insert_lock,
    record_change,
    snapshot,
)


def _is_directory_staff(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.is_secretariat))


class HistoryAdmin(admin.ModelAdmin):
    """Records a ChangeRecord for every save and delete made through the admin."""

    history_fields: list[str] = []

    def _scope(self, obj: models.Model) -> dict[str, Any]:
        return {
            "state": getattr(obj, "state", None) if not isinstance(obj, State) else obj,
            "organisation": (
                obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)
            ),
        }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk), self.history_fields) if change else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, self.history_fields)
        diff = changed_fields(before, after)
        if diff or not change:
            record_change(
                actor=request.user,
                action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
                obj=obj,
                changes=diff,
                **self._scope(obj),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (contact channels, delegation codes) are recorded on their parent.
        formset.save()
        parts = (
            [f"+ {obj}" for obj in formset.new_objects]
            + [f"~ {obj}" for obj, _fields in formset.changed_objects]
            + [f"- {obj}" for obj in formset.deleted_objects]
        )
        if parts:
            record_change(
                actor=request.user,
                action=ChangeAction.UPDATE,
                obj=form.instance,
                changes={formset.model._meta.verbose_name_plural: [None, parts]},
                **self._scope(form.instance),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj, self.history_fields)
        record_change(
            actor=request.user,
            action=ChangeAction.DELETE,
            obj=obj,
            changes={key: [value, None] for key, value in before.items()},
            **self._scope(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One record per deleted row, like deleting them one by one.
        for obj in queryset:
            self.delete_model(request, obj)

    # Access: only operators and secretariat officers use the directory admin.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_directory_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class OrganisationScopedAdmin(HistoryAdmin):
    """Bodies and memberships: a secretariat officer sees and changes their organisation's."""

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Only directory staff get here: an operator (above) or a secretariat officer.
        organisation_id = roles.organisation_id_of(request.user)
        if organisation_id is None:
            return queryset.none()
        return queryset.filter(organisation_id=organisation_id)

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        organisation_id = (
            obj.organisation_id if obj is not None else roles.organisation_id_of(request.user)
        )
        return permissions.can_manage_organisation(request.user, organisation_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_directory_staff(request.user) and self._may(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_staff(request.user) and self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_staff(request.user) and self._may(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            # Their own organisation only (none without one).
            organisation_id = roles.organisation_id_of(request.user) or 0
            if db_field.name == "organisation":
                kwargs["queryset"] = Organisation.objects.filter(pk=organisation_id)
            elif db_field.name == "parent":
                kwargs["queryset"] = Body.objects.filter(organisation_id=organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    history_fields = ["acronym", "name", "kind", "description", "website", "headquarters"]
    list_display = ["acronym", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return _is_directory_staff(request.user)
        return _is_directory_staff(request.user) and permissions.can_manage_organisation(
            request.user, obj.pk
        )


@admin.register(Body)
class BodyAdmin(OrganisationScopedAdmin):
    history_fields = ["organisation", "parent", "name", "acronym", "kind", "description"]
    list_display = ["name", "acronym", "organisation", "kind", "parent"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name", "acronym"]
    list_select_related = ["organisation", "parent__organisation"]


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedAdmin):
    history_fields = ["state", "organisation", "status", "since", "until"]
    list_display = ["state", "organisation", "status", "since", "until"]
    list_filter = ["organisation", "status"]
    search_fields = ["state__name", "state__iso3"]
    list_select_related = ["state", "organisation"]
    autocomplete_fields = ["state"]


class StateAliasInline(admin.TabularInline):
    model = StateAlias
    extra = 1


@admin.register(State)
class StateAdmin(HistoryAdmin):
    history_fields = ["name", "official_name", "iso2", "iso3"]
    list_display = ["name", "iso3", "iso2"]
    search_fields = ["name", "iso3", "iso2", "aliases__code"]
    inlines = [StateAliasInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_directory_staff(request.user) and permissions.can_manage_states(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)


@admin.register(StateAlias)
class StateAliasAdmin(HistoryAdmin):
    history_fields = ["state", "code", "note"]
    list_display = ["code", "state", "note"]
    search_fields = ["code", "state__name"]
    list_select_related = ["state"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_directory_staff(request.user) and permissions.can_manage_states(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)


class ContactChannelInline(admin.TabularInline):
    model = ContactChannel
    extra = 0


@admin.register(PointOfContact)
class PointOfContactAdmin(HistoryAdmin):
    """Read-only for secretariat officers: a state's focal point keeps its points of contact."""

    # The linked account is set here only (never through the API or import): record it too.
    history_fields = [*POC_FIELDS, "user"]
    list_display = ["state", "level", "office", "person_name", "is_active", "last_verified"]
    list_filter = ["level", "is_active", "available_24_7", "organisation"]
    search_fields = ["office", "function", "person_name", "state__name", "state__iso3"]
    list_select_related = ["state", "organisation"]
    raw_id_fields = ["user"]
    inlines = [ContactChannelInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:  # as the services add one: a directory import waits for it
            point_of_contact_insert_lock(state_ids=[obj.state_id])
        super().save_model(request, obj, form, change)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """The history, read-only for everyone: it is the record of what happened."""

    list_display = ["at", "actor", "action", "model", "object_repr", "state", "organisation"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr"]
    date_hierarchy = "at"
    list_select_related = ["actor", "state", "organisation"]
    readonly_fields = CHANGE_RECORD_FIELDS

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_directory_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
