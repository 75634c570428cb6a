"""The negotiations API's files: a revision as Word, Akoma Ntoso or PDF, and the comparison
of two revisions as Word (tracked changes) or PDF. Same access as reading the revisions: a
document outside the caller's view is a 404, an observer is refused (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS
from cbmhub.core.http import attachment_response

from . import exports, selectors

TAGS = ["negotiations"]


def upload_summary(upload: Any) -> dict[str, Any]:
    """What an import read from a Word or AKN file, for the API's answer."""
    return {
        "format": upload.format,
        "tracked_changes": [
            {
                "kind": c.kind,
                "author": c.author,
                "date": c.date,
                "text": c.text,
                "paragraph": c.paragraph,
            }
            for c in upload.changes
        ],
        "comments": [
            {"author": c.author, "date": c.date, "text": c.text, "anchor": c.anchor}
            for c in upload.comments
        ],
        "warnings": list(upload.warnings),
    }


def _binary(description: str) -> dict[Any, Any]:
    return {
        (200, exports.DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        (200, "application/akn+xml"): OpenApiResponse(OpenApiTypes.BINARY),
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        **ERRORS,
    }


class RevisionExportView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="negotiations_revision_export",
        summary="A revision as a file: Word (docx), Akoma Ntoso 3.0 (akn) or PDF (pdf)",
        description=(
            "docx: the text as delegations expect it (labels, brackets and tags as text, "
            "struck text struck); akn: an Akoma Ntoso 3.0 statement valid against the strict "
            "XSD (brackets and positions as inline elements); pdf: the podium version "
            "(brackets shaded by depth, page numbers)."
        ),
        parameters=[
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=exports.REVISION_FORMATS)
        ],
        responses=_binary("The file, as an attachment."),
    )
    def get(self, request: Request, document_id: int, revision_id: int, fmt: str) -> HttpResponse:
        document = selectors.access_document(request.user, document_id)
        revision = selectors.access_revision(document, revision_id)
        if fmt not in exports.REVISION_FORMATS:
            raise serializers.ValidationError({"fmt": "One of docx, akn, pdf."})
        file = exports.revision_file(document, revision, fmt)
        return attachment_response(
            file.content, filename=file.filename, content_type=file.content_type
        )


class CompareExportView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="negotiations_compare_export",
        summary="The comparison of two revisions as Word with tracked changes (docx) or PDF",
        description=(
            "docx: the later revision with the changes from the earlier as native Word "
            "tracked changes (accept all gives the later text, reject all the earlier); "
            "pdf: insertions and deletions marked."
        ),
        parameters=[
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=exports.COMPARE_FORMATS),
            OpenApiParameter("old", OpenApiTypes.INT, required=True),
            OpenApiParameter("new", OpenApiTypes.INT, required=True),
        ],
        responses=_binary("The file, as an attachment."),
    )
    def get(self, request: Request, document_id: int, fmt: str) -> HttpResponse:
        document = selectors.access_document(request.user, document_id)
        missing = [name for name in ("old", "new") if not request.query_params.get(name)]
        if missing:
            raise serializers.ValidationError(
                {name: "The id of a revision of this document." for name in missing}
            )
        if fmt not in exports.COMPARE_FORMATS:
            raise serializers.ValidationError({"fmt": "One of docx, pdf."})
        old = selectors.access_revision(document, request.query_params["old"])
        new = selectors.access_revision(document, request.query_params["new"])
        file = exports.comparison_file(document, old, new, fmt)
        return attachment_response(
            file.content, filename=file.filename, content_type=file.content_type
        )
