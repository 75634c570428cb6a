"""The operators' admin for accounts, API tokens and second-factor devices.

Nothing secret is shown or editable here: API tokens are stored as digests and the admin
shows only their public prefix; the TOTP devices' keys and the backup codes, which
django-otp's own admins display, are left out (its admins are replaced below). An operator
may revoke a token or remove a lost device, and each such act is recorded in the account's
history.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbmhub.directory.choices import ChangeAction
from cbmhub.directory.services import changed_fields, record_change, snapshot

from . import permissions, services
from .choices import TokenRevocation
from .forms import AdminPasswordChangeForm, admin_password_actor
from .http import signed_in_user
from .models import ApiToken, User

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
    autocomplete_fields = ()
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role in CBM Hub"), {"fields": ("role", "state", "organisation", "time_zone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in CBM Hub"), {"fields": ("email", "role", "state", "organisation")}),
    )
    change_password_form = AdminPasswordChangeForm

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The form revokes the account's API tokens; the history names this operator.
        reset = admin_password_actor.set(signed_in_user(request))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            admin_password_actor.reset(reset)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(User.objects.get(pk=obj.pk), ACCESS_FIELDS) if change else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, ACCESS_FIELDS)
        diff = changed_fields(before, after)
        if not diff:
            return
        record_change(
            actor=request.user,
            action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
            obj=obj,
            changes=diff,
            state=obj.state,
            organisation=obj.organisation,
        )
        if change and set(diff) - {"username"}:
            # Tokens act with the rights of their issue; new rights need new tokens.
            services.api_tokens_revoke_all(
                user=obj, actor=signed_in_user(request), reason=TokenRevocation.ACCESS_CHANGE
            )

    # Accounts are the operators' business only: not the secretariat's, even with is_staff.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_administer_accounts(request.user)


class _OperatorsOnly(admin.ModelAdmin):
    """Visible to superusers only, and read-only: rows are made by their owners."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_administer_accounts(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(_OperatorsOnly):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_reason",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    # The digest and the credential stamp are left out on purpose.
    fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the row is the record

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = sum(
            services.api_token_revoke(
                token=token, actor=signed_in_user(request), reason=TokenRevocation.BY_OPERATOR
            )
            for token in queryset.filter(revoked_at__isnull=True)
        )
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class _DeviceAdmin(_OperatorsOnly):
    """A second-factor device without its secret. Deleting one (a lost phone) makes its
    owner enrol again at the next sign-in, and is recorded in the owner's history."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_administer_accounts(request.user)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_device_removal(actor=request.user, device=obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for device in queryset.select_related("user__state", "user__organisation"):
            _record_device_removal(actor=request.user, device=device)
        super().delete_queryset(request, queryset)


def _record_device_removal(*, actor: Any, device: Any) -> None:
    user = device.user
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=user,
        changes={"two_factor_device": [f"{device._meta.model_name}: {device.name}", "removed"]},
        state=user.state,
        organisation=user.organisation,
    )


# django-otp registers admins that show each TOTP key (and its QR code) and every backup
# code; ours replace them.
for _model in (TOTPDevice, StaticDevice):
    try:
        admin.site.unregister(_model)
    except NotRegistered:
        pass
admin.site.register(TOTPDevice, _DeviceAdmin)
admin.site.register(StaticDevice, _DeviceAdmin)
