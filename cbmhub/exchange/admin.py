"""The exchange in the Django admin (operators): arrangements with their participants,
collections and subscriptions. Shared objects are not here: an operator reads no shared
content (docs/exchange.md); they are reached through TAXII and the pages, under TLP."""

from django.contrib import admin

from .models import Arrangement, Collection, Participant, Subscription


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class CollectionInline(admin.TabularInline):
    model = Collection
    extra = 0
    fields = ["title", "description", "default_tlp", "is_exercise"]
    readonly_fields = ["is_exercise"]  # set by an exercise run, never by hand


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "organisation", "is_active"]
    search_fields = ["name"]
    inlines = [ParticipantInline, CollectionInline]
    filter_horizontal = ["red_recipients"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "collection", "state", "last_run_at", "objects_pulled"]
    list_filter = ["state", "is_active"]
    # The remote credentials are the CERT's, not the operator's to read.
    exclude = ["password"]
    readonly_fields = [
        "added_after",
        "next_token",
        "state",
        "last_error",
        "last_run_at",
        "objects_pulled",
    ]
