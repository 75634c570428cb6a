"""The negotiations REST API, mounted at /api/v1/negotiations/: documents, their revisions (the
source text kept verbatim), a revision's analysis (the JSON of docs/notation.md), the
comparison of two revisions, and the import of a new revision.

It reads through the same selectors and writes through the same services as the pages: a
document outside the caller's view is a 404, an observer is refused (403), and only the
secretariat of the document's organisation (or an operator) may import.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS
from cbmhub.core.errors import Forbidden
from cbmhub.core.pagination import StrictLimitOffsetPagination
from cbmhub.core.parsers import BoundedJSONParser

from . import notation, permissions, selectors, services
from .api_documents import upload_summary
from .choices import RevisionKind
from .models import Document, Revision

TAGS = ["negotiations"]
# Paragraphs of a revision's analysis per response: the whole list of a long text would be
# tens of megabytes of JSON.
ANALYSIS_LIMIT = 100
ANALYSIS_MAX_LIMIT = 1000


# --- serializers ------------------------------------------------------------------------------


class RevisionSerializer(serializers.ModelSerializer):
    imported_by = serializers.CharField(
        source="imported_by.username", allow_null=True, default=None
    )
    totals = serializers.DictField(help_text="Counts from the analysis at import.")

    class Meta:
        model = Revision
        fields = [
            "id",
            "document",
            "kind",
            "number",
            "label",
            "date",
            "source_sha256",
            "source_name",
            "imported_by",
            "imported_at",
            "totals",
        ]


class RevisionDetailSerializer(RevisionSerializer):
    source_text = serializers.CharField(help_text="The text exactly as imported.")

    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "source_text"]


class DocumentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym")
    body = serializers.CharField(source="body.name", allow_null=True, default=None)
    negotiation_title = serializers.CharField(source="negotiation.title")

    class Meta:
        model = Document
        fields = [
            "id",
            "symbol",
            "title",
            "language",
            "organisation",
            "body",
            "negotiation",
            "negotiation_title",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    revisions = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "revisions"]

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, document: Document) -> list[dict[str, Any]]:
        return list(RevisionSerializer(selectors.revision_list(document), many=True).data)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text="multipart: the UTF-8 text file, a Word file (.docx) or Akoma Ntoso (.xml)",
    )
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="JSON: the text itself"
    )
    kind = serializers.ChoiceField(choices=RevisionKind.choices)
    number = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="N of Rev.N"
    )
    date = serializers.DateField(required=False, allow_null=True, default=None)
    # A declared field named "label": DRF's serializer metaclass moves it into _declared_fields,
    # so it never shadows Field.label, which mypy cannot see.
    label = serializers.CharField(max_length=80, required=False, default="")  # type: ignore[assignment]

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("file" in data) == ("text" in data):
            raise serializers.ValidationError("Send either a file (multipart) or text (JSON).")
        return data


class ConsensusBlockerSerializer(serializers.Serializer):
    delegation = serializers.CharField(help_text="The delegation code (never an actor).")
    oppose = serializers.IntegerField(help_text="Its oppose tags in the whole text.")
    paragraphs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Keys of the paragraphs where it opposes something, each once, in order.",
    )


class ConsensusSerializer(serializers.Serializer):
    blockers = ConsensusBlockerSerializer(
        many=True,
        help_text=(
            "Delegations that are not actors and oppose at least once: most oppositions "
            "first, then most paragraphs, then code."
        ),
    )


# Describes the response for the schema only: the view returns notation.analysis_to_json as
# it is (test_api checks that the two name the same fields).
class RevisionAnalysisSerializer(serializers.Serializer):
    """A revision's analysis: the JSON of `cbmhub text parse` (docs/notation.md)."""

    version = serializers.IntegerField(help_text="Version of this shape.")
    paragraphs = serializers.ListField(
        child=serializers.DictField(), help_text="Each paragraph as analysed, in text order."
    )
    delegations = serializers.DictField(
        child=serializers.DictField(), help_text="Stances and notes per delegation code."
    )
    resolved = serializers.BooleanField(help_text="Whether codes were looked up.")
    unknown_codes = serializers.ListField(child=serializers.CharField())
    actors = serializers.ListField(child=serializers.CharField())
    totals = serializers.DictField(help_text="Counts for progress tracking.")
    diagnostics = serializers.ListField(
        child=serializers.DictField(),
        help_text="The first 1000 problems, each with the key and page of its paragraph.",
    )
    diagnostics_omitted = serializers.IntegerField(
        help_text="Problems found beyond those listed (the totals count them all)."
    )
    consensus = ConsensusSerializer()
    paragraphs_total = serializers.IntegerField(help_text="How many paragraphs the text has.")
    offset = serializers.IntegerField(help_text="Index of the first paragraph returned.")
    limit = serializers.IntegerField(help_text="At most this many paragraphs are returned.")


# --- views ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        operation_id="negotiations_documents",
        summary="Documents you may read",
        responses={200: DocumentSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        operation_id="negotiations_document",
        summary="A document and its revisions",
        responses={200: DocumentDetailSerializer, **ERRORS},
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Documents: the caller's readable ones, a page at a time, and one with its revisions.
    # (Comments, not a docstring: drf-spectacular would publish a docstring as the operations'
    # description.)

    queryset = Document.objects.none()  # the model, for the schema; rows: get_queryset
    lookup_url_kwarg = "document_id"

    def get_queryset(self) -> QuerySet[Document]:
        return selectors.document_list(self.request.user)

    def get_object(self) -> Document:
        return selectors.access_document(self.request.user, self.kwargs["document_id"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        operation_id="negotiations_revisions",
        summary="A document's revisions, oldest first",
        responses={200: RevisionSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        operation_id="negotiations_revision",
        summary="A revision with its source text",
        responses={200: RevisionDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        tags=TAGS,
        operation_id="negotiations_import",
        summary="Import a text as a new revision (secretariat)",
        description=(
            "The text is kept exactly as sent: a file is decoded strictly as UTF-8 (anything "
            "else is refused with the offset and line of the first bad byte). A Word file "
            "(.docx) is read with its tracked changes accepted, an Akoma Ntoso file (.xml) as "
            "its paragraphs; an unreadable, encrypted or malformed one is refused (400 "
            "`unreadable`) and nothing is stored. Sending the same "
            "text again with the same kind and number answers 200 with the revision made the "
            "first time; a Rev.N that exists with another text answers 400 `conflict`."
        ),
        request={"multipart/form-data": ImportSerializer, "application/json": ImportSerializer},
        responses={
            201: OpenApiResponse(RevisionDetailSerializer, description="Imported."),
            200: OpenApiResponse(RevisionDetailSerializer, description="Already imported."),
            **ERRORS,
        },
    ),
)
class RevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # A document's revisions: all of them (unpaged, oldest first), one with its source text,
    # and the import of a new one (POST on the list: the revision's create).

    queryset = Revision.objects.none()  # the model, for the schema; rows: get_queryset
    lookup_url_kwarg = "revision_id"
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    pagination_class = None  # a document has few revisions: the list comes whole

    def document(self) -> Document:
        """The document of the URL, through the caller's need-to-know (404, 403)."""
        return selectors.access_document(self.request.user, self.kwargs["document_id"])

    def get_queryset(self) -> QuerySet[Revision]:
        return selectors.revision_list(self.document())

    def get_object(self) -> Revision:
        return selectors.access_revision(self.document(), self.kwargs["revision_id"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return RevisionDetailSerializer if self.action == "retrieve" else RevisionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Import: a new revision from a text (an action on the collection: POST)."""
        document = self.document()
        # Refused senders and oversized files are answered before the upload is read into
        # memory (the service checks both again, but only after it has the bytes).
        if not permissions.can_import_revision(request.user, document):
            raise Forbidden(
                f"Only the {document.organisation.acronym} secretariat imports revisions."
            )
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.get("file")
        if upload is not None and upload.size > services.MAX_SOURCE_BYTES:
            raise services.NegotiationsError(
                f"file: {upload.size} bytes is more than the {services.MAX_SOURCE_BYTES} bytes "
                "a revision may have.",
                code="too_large",
            )
        common = {
            "actor": request.user,
            "document": document,
            "kind": data["kind"],
            "number": data["number"],
            "date": data["date"],
            "label": data["label"],
        }
        if upload is not None:  # a text, a Word file (.docx) or Akoma Ntoso (.xml)
            upload_result = services.revision_import_upload(
                data=b"".join(upload.chunks()), source_name=upload.name, **common
            )
            result = upload_result.result
        else:
            result = services.revision_import(data=data["text"], source_name="", **common)
        body = dict(RevisionDetailSerializer(result.revision).data)
        if upload is not None:
            body["read_from"] = upload_summary(upload_result)
        response = Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
        response["Location"] = reverse(
            "api:negotiations-revision", args=[document.pk, result.revision.pk]
        )
        return response


class AnalysisParagraphPaging(StrictLimitOffsetPagination):
    """The paragraphs of an analysis, ANALYSIS_LIMIT by default, at most ANALYSIS_MAX_LIMIT."""

    default_limit = ANALYSIS_LIMIT
    max_limit = ANALYSIS_MAX_LIMIT


def _paging_parameters() -> list[OpenApiParameter]:
    """``limit`` and ``offset`` as the strict class states them (range and default)."""
    out = []
    for parameter in AnalysisParagraphPaging().get_schema_operation_parameters(None):
        bounds = parameter["schema"]
        out.append(
            OpenApiParameter(
                parameter["name"],
                {k: bounds[k] for k in ("type", "minimum", "maximum", "default")},
                description=parameter.get("description", ""),
            )
        )
    return out


class RevisionAnalysisView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="negotiations_revision_analysis",
        summary="A revision's analysis (paragraphs, positions, consensus, diagnostics)",
        description=(
            "The JSON of `cbmhub text parse` (docs/notation.md), as computed once at import, "
            "with delegation codes looked up in the directory now. Paragraphs come `limit` at "
            f"a time (default {ANALYSIS_LIMIT}, at most {ANALYSIS_MAX_LIMIT}) from `offset`; "
            "`paragraphs_total` says how many there are."
        ),
        parameters=_paging_parameters(),
        responses={200: RevisionAnalysisSerializer, **ERRORS},
    )
    def get(self, request: Request, document_id: int, revision_id: int) -> Response:
        document = selectors.access_document(request.user, document_id)
        revision = selectors.access_revision(document, revision_id)
        # The paragraphs are paged as every API list is: the same strict reading of limit
        # and offset (a 400 naming the parameter), the same bounds, stated in the schema.
        paging = AnalysisParagraphPaging()
        offset, limit = paging.get_offset(request), paging.get_limit(request) or ANALYSIS_LIMIT
        services.revision_analysis_ensure(revision=revision)
        data = selectors.revision_summary(revision)
        rows, total = selectors.revision_paragraph_rows(revision, offset=offset, limit=limit)
        data.pop("format", None)
        data.pop("pages", None)
        data["paragraphs"] = [_paragraph_json(item) for item in rows]
        data.update(paragraphs_total=total, offset=offset, limit=limit)
        return Response(data)


def _paragraph_json(item: selectors.StoredParagraph) -> dict[str, Any]:
    """A kept paragraph in the shape of notation.paragraph_to_json."""
    row = item.row
    return {
        "key": row.key,
        "label": row.label,
        "kind": row.kind,
        "status": row.status,
        "line": row.line,
        "end_line": row.end_line,
        "brackets": row.brackets,
        "max_depth": row.max_depth,
        "struck": row.struck,
        "positions": row.positions,
        "notes": row.notes,
        "text": item.text,
    }


class CompareView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="negotiations_compare",
        summary="Compare two revisions paragraph by paragraph, aligned by content",
        description=(
            "Every pair with old_label, new_label and change (unchanged, changed, moved, added,"
            " removed), counts, word diffs of the changed paragraphs (docs/notation.md)."
        ),
        parameters=[
            OpenApiParameter("old", OpenApiTypes.INT, required=True),
            OpenApiParameter("new", OpenApiTypes.INT, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.access_document(request.user, document_id)
        missing = [name for name in ("old", "new") if not request.query_params.get(name)]
        if missing:
            raise serializers.ValidationError(
                {name: "The id of a revision of this document." for name in missing}
            )
        old = selectors.access_revision(document, request.query_params["old"])
        new = selectors.access_revision(document, request.query_params["new"])
        comparison = notation.compare(
            selectors.revision_analysis(old), selectors.revision_analysis(new)
        )
        return Response({"old": old.pk, "new": new.pk, **notation.comparison_to_json(comparison)})
