from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cbmhub.directory.choices import ChangeAction
from cbmhub.directory.services import record_change, snapshot

from .models import User

# Who an account acts for and what it may do: changing any of these gives or takes away a
# state's traffic, so every change lands in the directory history with its author.
ACCESS_FIELDS = [
    "username",
    "role",
    "state",
    "organisation",
    "is_active",
    "is_staff",
    "is_superuser",
]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "state", "organisation", "is_active", "last_login")
    list_filter = ("role", "state", "organisation", "is_active", "is_staff", "is_superuser")
    list_select_related = ("state", "organisation")
    search_fields = ("username", "email", "first_name", "last_name")
    autocomplete_fields: tuple = ()
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in CBM Hub"), {"fields": ("role", "state", "organisation", "time_zone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in CBM Hub"), {"fields": ("email", "role", "state", "organisation")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(User.objects.get(pk=obj.pk), ACCESS_FIELDS) if change else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, ACCESS_FIELDS)
        diff = {
            key: [before.get(key), value]
            for key, value in after.items()
            if before.get(key) != value
        }
        if diff:
            record_change(
                actor=request.user,
                action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
                obj=obj,
                changes=diff,
                state=obj.state,
                organisation=obj.organisation,
            )

    # Accounts are the operators' business only: not the secretariat's, even with is_staff.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
