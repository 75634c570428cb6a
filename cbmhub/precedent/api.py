"""The precedent REST API, mounted at /api/v1/precedent/: a search (an action: POST, since a
query may be a whole paragraph) and one precedent paragraph. Results come only from texts the
caller may read; observers are refused (403)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS, validated
from cbmhub.core.errors import DomainError
from cbmhub.core.roles import SYSTEM

from . import selectors, services
from .choices import FILTER_KINDS
from .engine import QueryError
from .forms import QUERY_LIMIT
from .models import Paragraph

TAGS = ["precedent"]


class SearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=QUERY_LIMIT,
        help_text="A phrase, a sentence or a paragraph.",
    )  # fmt: skip
    phrase = serializers.BooleanField(
        default=False, help_text="Every paragraph containing the phrase, oldest first."
    )
    lang = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    year_from = serializers.IntegerField(required=False, min_value=1945, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=1945, max_value=2100)
    kind = serializers.ChoiceField(
        choices=[k.value for k in FILTER_KINDS], required=False, allow_blank=True, default=""
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=10)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="paragraph.pk")
    symbol = serializers.CharField(source="text.symbol")
    date = serializers.DateField(source="text.date")
    body = serializers.CharField(source="text.body")
    language = serializers.CharField(source="text.language")
    paragraph = serializers.CharField(source="number")
    kind = serializers.CharField(source="paragraph.kind")
    text = serializers.CharField(source="paragraph.content")
    score = serializers.FloatField()
    similarity = serializers.FloatField()
    diff = serializers.SerializerMethodField()
    acknowledgement = serializers.SerializerMethodField()

    def get_diff(self, result: selectors.Result) -> list[dict[str, str]]:
        """Word runs: ``equal``, ``delete`` (in the precedent only), ``insert`` (query only)."""
        return [{"op": op.op, "text": op.text} for op in result.diff]

    def get_acknowledgement(self, result: selectors.Result) -> str:
        """The source to acknowledge ("Source: United Nations"), else the source's name."""
        return result.text.source.acknowledgement or result.text.source.name


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ResultSerializer(many=True)
    note = serializers.CharField()


class PrecedentError(DomainError):
    pass


class SearchView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="precedent_search",
        summary="Agreed language: closest precedents, or every paragraph with a phrase",
        request=SearchSerializer,
        responses={200: SearchResponseSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(SearchSerializer, request)
        services.revisions_sync(actor=SYSTEM)
        filters = selectors.SearchFilters(
            language=data["lang"],
            body=data["body"],
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            kind=data["kind"],
        )
        try:
            results, count = self._search(request, data, filters)
        except QueryError as exc:
            raise PrecedentError(str(exc), code=exc.code, field="q") from None
        note = ""
        if not results and selectors.unknown_words(data["q"]):
            note = "None of the query's words occurs in the indexed texts."
        return Response(
            {"count": count, "results": ResultSerializer(results, many=True).data, "note": note}
        )

    def _search(
        self, request: Request, data: dict[str, Any], filters: selectors.SearchFilters
    ) -> tuple[list[selectors.Result], int]:
        if data["phrase"]:
            results, count = selectors.phrase_search(request.user, data["q"], filters)
            return results[data["offset"] : data["offset"] + data["limit"]], count
        results = selectors.closest_search(request.user, data["q"], filters, limit=data["limit"])
        return results, len(results)


class ParagraphSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(source="text.symbol")
    date = serializers.DateField(source="text.date")
    body = serializers.CharField(source="text.body")
    language = serializers.CharField(source="text.language")
    source_name = serializers.CharField(source="text.source.name")
    acknowledgement = serializers.CharField(source="text.source.acknowledgement")

    class Meta:
        model = Paragraph
        fields = ["id", "symbol", "date", "body", "language", "index", "kind", "label",
                  "content", "source_name", "acknowledgement"]  # fmt: skip


class ParagraphView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="precedent_paragraph",
        summary="One precedent paragraph",
        responses={200: ParagraphSerializer, **ERRORS},
    )
    def get(self, request: Request, paragraph_id: int) -> Response:
        found = selectors.access_paragraph(request.user, paragraph_id)
        return Response(ParagraphSerializer(found).data)
