from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


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
