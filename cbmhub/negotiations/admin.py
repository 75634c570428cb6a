from django.contrib import admin

from .models import Document, Negotiation, Revision


@admin.register(Negotiation)
class NegotiationAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "body", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["title"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["symbol", "title", "organisation", "negotiation", "language"]
    list_filter = ["organisation", "language"]
    search_fields = ["symbol", "title"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["document", "label", "kind", "date", "imported_by", "imported_at"]
    list_filter = ["kind"]
    search_fields = ["document__symbol", "label"]
    # The imported text is a record: it is corrected by importing a new revision, never edited.
    readonly_fields = [
        "document",
        "kind",
        "number",
        "source_text",
        "source_sha256",
        "source_name",
        "imported_by",
        "imported_at",
        "totals",
        "analysis",
        "clean_text",
    ]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # imports go through the service (upload, API or command line)
