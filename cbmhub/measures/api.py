"""The measures API (/api/v1/measures/): the same selectors and services as the pages.

Resources are ViewSets (catalogues, measures, plans, initiatives, cycles, submissions,
capabilities, alerts); actions are APIViews (acknowledge, the matrix, outline import, export,
the progress report and the compiled publication, the early-warning figures, thresholds).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core import roles
from cbmhub.core.api import ERRORS, error_responses, validated
from cbmhub.core.http import attachment_response
from cbmhub.core.parsers import BoundedJSONParser
from cbmhub.core.publishing import render_docx, render_pdf
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation, State
from cbmhub.negotiations.models import Document

from . import importexport, outputs, permissions, selectors, services, warning
from .choices import AlertStatus, Signal, SubmissionKind, Visibility
from .models import (
    Alert,
    Capability,
    Catalogue,
    Coordinator,
    Initiative,
    Measure,
    Plan,
    ReportingCycle,
    Submission,
)

WRITE_ERRORS = error_responses(400, 403)
READ_ERRORS = error_responses(404)


def _state_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="iso3", queryset=State.objects.all(), **kwargs)


# --- serializers ------------------------------------------------------------------------------


class CatalogueSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="acronym", queryset=Organisation.objects.all()
    )

    class Meta:
        model = Catalogue
        fields = ["id", "organisation", "code", "title", "version", "adopted_on", "superseded_on"]


class MeasureSerializer(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.code", read_only=True)
    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True)  # type: ignore[assignment]  # "parent" names a field here

    class Meta:
        model = Measure
        fields = [
            "id",
            "catalogue",
            "code",
            "parent",
            "depth",
            "dimension",
            "text",
            "adopted_on",
            "superseded_on",
        ]


class CoordinatorSerializer(serializers.ModelSerializer):
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.all())
    state = _state_field()

    class Meta:
        model = Coordinator
        fields = ["id", "measure", "state", "role", "from_year", "to_year"]


class InitiativeSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    lead_state = _state_field(required=False, allow_null=True)
    participants = _state_field(many=True, required=False)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "plan",
            "kind",
            "title",
            "year",
            "date",
            "lead_state",
            "status",
            "outcome",
            "participants",
        ]


class PlanSerializer(serializers.ModelSerializer):
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.all())
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Plan
        fields = ["id", "measure", "title", "from_year", "to_year", "objectives", "document"]


class CycleSerializer(serializers.ModelSerializer):
    catalogue = serializers.SlugRelatedField(slug_field="code", queryset=Catalogue.objects.all())

    class Meta:
        model = ReportingCycle
        fields = ["id", "catalogue", "instrument", "year", "deadline"]


class SubmissionSerializer(serializers.ModelSerializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=ReportingCycle.objects.all())
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.all())
    state = _state_field()
    named_states = _state_field(many=True, required=False)
    submit = serializers.BooleanField(write_only=True, default=False)
    kind = serializers.ChoiceField(choices=SubmissionKind.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.SECRETARIAT)

    class Meta:
        model = Submission
        fields = [
            "id",
            "cycle",
            "measure",
            "state",
            "kind",
            "title",
            "text",
            "nil_since_year",
            "language",
            "visibility",
            "named_states",
            "status",
            "version",
            "submitted_at",
            "acknowledged_at",
            "submit",
        ]
        read_only_fields = ["status", "version", "submitted_at", "acknowledged_at"]
        validators: list[Any] = []  # the service decides (one cell per state, measure, cycle)


class SubmissionChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubmissionKind.choices, required=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    text = serializers.CharField(required=False, allow_blank=True)
    nil_since_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )
    language = serializers.CharField(max_length=10, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    named_states = _state_field(many=True, required=False)
    submit = serializers.BooleanField(default=False)


class CapabilitySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="acronym", queryset=Organisation.objects.all()
    )
    state = _state_field()
    named_states = _state_field(many=True, required=False)

    class Meta:
        model = Capability
        fields = [
            "id",
            "organisation",
            "state",
            "kind",
            "quantity",
            "readiness",
            "contact",
            "notes",
            "visibility",
            "named_states",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class AlertSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym", read_only=True)
    state = serializers.CharField(source="state.iso3", read_only=True, allow_null=True)
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "organisation",
            "state",
            "signal",
            "figure",
            "owner",
            "status",
            "next_step",
            "created_at",
        ]
        read_only_fields = ["signal", "figure", "created_at"]


class AlertChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    take = serializers.BooleanField(default=False, help_text="Make me the owner.")


# --- resources --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List catalogues",
        parameters=[OpenApiParameter("organisation", str, description="Acronym.")],
    ),
    retrieve=extend_schema(
        summary="One catalogue", responses={200: CatalogueSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a catalogue (its organisation's secretariat)",
        responses={201: CatalogueSerializer, **WRITE_ERRORS},
    ),
)
class CatalogueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CatalogueSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> Any:
        catalogues = selectors.catalogue_list(self.request.user)
        if acronym := self.request.query_params.get("organisation"):
            catalogues = catalogues.filter(organisation__acronym=acronym)
        return catalogues

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(CatalogueSerializer, request)
        catalogue = services.catalogue_create(actor=request.user, **data)
        return Response(CatalogueSerializer(catalogue).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List measures",
        parameters=[
            OpenApiParameter("catalogue", str, description="Catalogue code."),
            OpenApiParameter("dimension", str, description="Dimension."),
        ],
    ),
    retrieve=extend_schema(
        summary="One measure", responses={200: MeasureSerializer, **READ_ERRORS}
    ),
)
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeasureSerializer

    def get_queryset(self) -> Any:
        if not permissions.may_read_catalogue(self.request.user):
            return Measure.objects.none()
        measures = Measure.objects.select_related("catalogue", "parent").order_by(
            "catalogue_id", "sort_key"
        )
        if code := self.request.query_params.get("catalogue"):
            measures = measures.filter(catalogue__code=code)
        if dimension := self.request.query_params.get("dimension"):
            measures = measures.filter(dimension=dimension)
        return measures


@extend_schema_view(
    list=extend_schema(
        summary="List coordinating and co-coordinating states",
        parameters=[OpenApiParameter("measure", int, description="Measure id.")],
    ),
    retrieve=extend_schema(
        summary="One coordinator", responses={200: CoordinatorSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Name a coordinating state for a period (secretariat)",
        responses={201: CoordinatorSerializer, **WRITE_ERRORS},
    ),
)
class CoordinatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CoordinatorSerializer

    def get_queryset(self) -> Any:
        if not permissions.may_read_catalogue(self.request.user):
            return Coordinator.objects.none()
        coordinators = Coordinator.objects.select_related("state", "measure")
        if measure := self.request.query_params.get("measure"):
            coordinators = coordinators.filter(measure_id=int_or_404(measure))
        return coordinators

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(CoordinatorSerializer, request)
        coordinator = services.coordinator_add(actor=request.user, **data)
        return Response(CoordinatorSerializer(coordinator).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List plans of implementation",
        parameters=[OpenApiParameter("catalogue", str, description="Catalogue code.")],
    ),
    retrieve=extend_schema(summary="One plan", responses={200: PlanSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Add a plan (secretariat)", responses={201: PlanSerializer, **WRITE_ERRORS}
    ),
)
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        plans = selectors.plan_list(self.request.user)
        if code := self.request.query_params.get("catalogue"):
            plans = plans.filter(measure__catalogue__code=code)
        return plans

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(PlanSerializer, request)
        plan = services.plan_create(actor=request.user, **data)
        return Response(PlanSerializer(plan).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List initiatives",
        parameters=[OpenApiParameter("plan", int, description="Plan id.")],
    ),
    retrieve=extend_schema(
        summary="One initiative", responses={200: InitiativeSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add an initiative (secretariat)",
        responses={201: InitiativeSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an initiative (status, outcome …)",
        responses={200: InitiativeSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InitiativeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        if not permissions.may_read_catalogue(self.request.user):
            return Initiative.objects.none()
        initiatives = Initiative.objects.select_related("lead_state").prefetch_related(
            "participants"
        )
        if plan := self.request.query_params.get("plan"):
            initiatives = initiatives.filter(plan_id=int_or_404(plan))
        return initiatives

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(InitiativeSerializer, request)
        initiative = services.initiative_save(
            actor=request.user,
            plan=data.pop("plan"),
            participants=data.pop("participants", None),
            **data,
        )
        return Response(InitiativeSerializer(initiative).data, status=201)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        instance = serializer.instance
        data.pop("plan", None)
        serializer.instance = services.initiative_save(
            actor=self.request.user,
            plan=instance.plan,
            initiative=instance,
            participants=data.pop("participants", None),
            **data,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List reporting cycles",
        parameters=[OpenApiParameter("catalogue", str, description="Catalogue code.")],
    ),
    retrieve=extend_schema(
        summary="One reporting cycle", responses={200: CycleSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Open a reporting cycle (secretariat)",
        responses={201: CycleSerializer, **WRITE_ERRORS},
    ),
)
class CycleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CycleSerializer

    def get_queryset(self) -> Any:
        cycles = selectors.cycle_list(self.request.user)
        if code := self.request.query_params.get("catalogue"):
            cycles = cycles.filter(catalogue__code=code)
        return cycles

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(CycleSerializer, request)
        cycle = services.cycle_create(actor=request.user, **data)
        return Response(CycleSerializer(cycle).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List the submissions you may read",
        parameters=[
            OpenApiParameter("cycle", int, description="Cycle id."),
            OpenApiParameter("state", str, description="State ISO alpha-3."),
            OpenApiParameter("measure", int, description="Measure id."),
        ],
    ),
    retrieve=extend_schema(
        summary="One submission", responses={200: SubmissionSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="File a submission for your state (submit: the focal point only)",
        responses={201: SubmissionSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Revise a submission (a new version once submitted)",
        request=SubmissionChangeSerializer,
        responses={200: SubmissionSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubmissionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        submissions = selectors.submission_list(
            self.request.user,
            measure_id=int_or_404(params["measure"]) if params.get("measure") else None,
        ).filter(**({"cycle_id": int_or_404(params["cycle"])} if params.get("cycle") else {}))
        if iso3 := params.get("state"):
            submissions = submissions.filter(state__iso3=iso3.upper())
        return submissions

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(SubmissionSerializer, request)
        submission = services.submission_save(
            actor=request.user,
            cycle=data.pop("cycle"),
            measure=data.pop("measure"),
            state=data.pop("state"),
            submit=data.pop("submit"),
            named_states=data.pop("named_states", None),
            **data,
        )
        return Response(SubmissionSerializer(submission).data, status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        submission = self.get_object()
        data = validated(SubmissionChangeSerializer, request)
        saved = services.submission_save(
            actor=request.user,
            cycle=submission.cycle,
            measure=submission.measure,
            state=submission.state,
            submit=data.pop("submit"),
            named_states=data.pop("named_states", None),
            **data,
        )
        return Response(SubmissionSerializer(saved).data)


@extend_schema_view(
    list=extend_schema(
        summary="Search the capability inventory (as your visibility allows)",
        parameters=[
            OpenApiParameter("q", str, description="Words in the kind, notes or contact."),
            OpenApiParameter("state", str, description="State ISO alpha-3."),
        ],
    ),
    retrieve=extend_schema(
        summary="One capability record", responses={200: CapabilitySerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a record for your state", responses={201: CapabilitySerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a record of your state",
        responses={200: CapabilitySerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a record of your state",
        responses={204: None, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class CapabilityViewSet(viewsets.ModelViewSet):
    serializer_class = CapabilitySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        records = selectors.capability_list(self.request.user, query=params.get("q", "")[:100])
        if iso3 := params.get("state"):
            records = records.filter(state__iso3=iso3.upper())
        return records

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(CapabilitySerializer, request)
        record = services.capability_save(
            actor=request.user,
            state=data.pop("state"),
            organisation=data.pop("organisation"),
            named_states=data.pop("named_states", None),
            **data,
        )
        return Response(CapabilitySerializer(record).data, status=201)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        record = serializer.instance
        data.pop("state", None)
        data.pop("organisation", None)
        serializer.instance = services.capability_save(
            actor=self.request.user,
            state=record.state,
            organisation=record.organisation,
            capability=record,
            named_states=data.pop("named_states", None),
            **data,
        )

    def perform_destroy(self, instance: Capability) -> None:
        services.capability_delete(actor=self.request.user, capability=instance)


@extend_schema_view(
    list=extend_schema(
        summary="Early-warning alerts (secretariat: all; a state: aggregate and its own)",
        parameters=[
            OpenApiParameter(
                "organisation", str, description="Acronym (default: your organisation's)."
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Update an alert (secretariat)",
        request=AlertChangeSerializer,
        responses={200: AlertSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class AlertViewSet(mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        if self.action == "list":
            acronym = self.request.query_params.get("organisation", "")
            organisation = selectors.default_organisation(self.request.user, acronym)
            if organisation is None:
                return Alert.objects.none()
            return selectors.alert_list(self.request.user, organisation_id=organisation.pk)
        managed = [a for a in [roles.organisation_id_of(self.request.user)] if a]
        if roles.is_operator(self.request.user):
            return Alert.objects.all()
        return Alert.objects.filter(organisation_id__in=managed)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        alert = self.get_object()
        data = validated(AlertChangeSerializer, request)
        saved = services.alert_update(
            actor=request.user,
            alert=alert,
            owner=request.user if data.get("take") else None,
            status=data.get("status", ""),
            next_step=data.get("next_step"),
        )
        return Response(AlertSerializer(saved).data)


def _organisation(acronym: str) -> Organisation:
    organisation = Organisation.objects.filter(acronym=acronym).first()
    if organisation is None:
        raise Http404(_("No organisation has this acronym."))
    return organisation


# --- actions ----------------------------------------------------------------------------------


class AcknowledgeView(APIView):
    @extend_schema(
        summary="Acknowledge receipt of a submission (secretariat)",
        request=None,
        responses={200: SubmissionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        submission = selectors.submission_detail(request.user, pk=pk)
        saved = services.submission_acknowledge(actor=request.user, submission=submission)
        return Response(SubmissionSerializer(saved).data)


class MatrixStateSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()
    cells = serializers.ListField(
        child=serializers.CharField(), help_text="One status per measure, in order."
    )


class MatrixSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    measures = serializers.ListField(child=serializers.CharField(), help_text="Measure codes.")
    states = MatrixStateSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class MatrixView(APIView):
    @extend_schema(
        summary="The implementation matrix of a cycle (states × measures)",
        parameters=[
            OpenApiParameter("dimension", str, description="Only measures of this dimension.")
        ],
        responses={200: MatrixSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        cycle = selectors.cycle_detail(request.user, pk=pk)
        found = selectors.matrix(
            request.user, cycle, dimension=request.query_params.get("dimension", "")
        )
        return Response(
            {
                "cycle": cycle.pk,
                "measures": [m.code for m in found.measures],
                "states": [
                    {"iso3": state.iso3, "name": state.name, "cells": statuses}
                    for state, statuses, _filed in found.rows()
                ],
                "totals": dict(found.totals),
            }
        )


class OutlineImportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["outline", "csv", "json"], default="outline")
    text = serializers.CharField(max_length=importexport.MAX_BYTES, trim_whitespace=False)
    dry_run = serializers.BooleanField(default=False)


class MeasuresOutlineItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # "parent" names a field here
    text = serializers.CharField()


class MeasuresDiagnosticSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class MeasuresImportResultSerializer(serializers.Serializer):
    items = MeasuresOutlineItemSerializer(many=True)
    diagnostics = MeasuresDiagnosticSerializer(many=True)
    applied = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class ImportView(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        summary="Import measures from an outline, CSV or JSON text (all or nothing)",
        request=OutlineImportSerializer,
        responses={200: MeasuresImportResultSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        catalogue = selectors.catalogue_detail(request.user, code=code)
        permissions.require_manage(request.user, catalogue.organisation_id)
        data = validated(OutlineImportSerializer, request)
        diagnostics: list[dict[str, Any]] = []
        if data["format"] == "outline":
            items, parsed = importexport.parse_outline_items(data["text"])
            diagnostics = [{"line": d.line, "message": d.message} for d in parsed.diagnostics]
        else:
            items = importexport.parse(data["text"].encode(), fmt=data["format"])
        applied = None
        if not data["dry_run"]:
            applied = services.catalogue_import_items(
                actor=request.user, catalogue=catalogue, items=items
            )
        return Response(
            {
                "items": [
                    {"code": i.code, "parent": i.parent or None, "text": i.text} for i in items
                ],
                "diagnostics": diagnostics,
                "applied": applied,
            }
        )


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_RESPONSES: dict[Any, Any] = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (200, DOCX_TYPE): OpenApiTypes.BINARY,
    **ERRORS,
}
EXPORT_RESPONSES: dict[Any, Any] = {
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/json"): OpenApiTypes.OBJECT,
    **ERRORS,
}


def _document(fmt: str, pub: Any, name: str) -> HttpResponse:
    if fmt == "pdf":
        return attachment_response(
            render_pdf(pub), filename=f"{name}.pdf", content_type="application/pdf"
        )
    return attachment_response(
        render_docx(pub),
        filename=f"{name}.docx",
        content_type=DOCX_TYPE,
    )


class CatalogueExportView(APIView):
    @extend_schema(
        summary="Export a catalogue's measures as CSV or JSON", responses=EXPORT_RESPONSES
    )
    def get(self, request: Request, code: str, fmt: str) -> HttpResponse:
        catalogue = selectors.catalogue_detail(request.user, code=code)
        if fmt == "json":
            return attachment_response(
                importexport.export_json(catalogue),
                filename=f"{code}.json",
                content_type="application/json",
            )
        return attachment_response(
            importexport.export_csv(catalogue), filename=f"{code}.csv", content_type="text/csv"
        )


class PlanReportView(APIView):
    @extend_schema(
        summary="The progress report of a plan (PDF or DOCX, in your UI language)",
        responses=DOCUMENT_RESPONSES,
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        plan = selectors.plan_detail(request.user, pk=pk)
        permissions.require_matrix(request.user, plan.measure.catalogue.organisation_id)
        return _document(
            fmt, outputs.plan_report(plan, language=get_language() or "en"), f"progress-report-{pk}"
        )


class CyclePublicationView(APIView):
    @extend_schema(
        summary="The compiled publication of a cycle (publishable submissions only)",
        responses=DOCUMENT_RESPONSES,
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        cycle = selectors.cycle_detail(request.user, pk=pk)
        permissions.require_matrix(request.user, cycle.catalogue.organisation_id)
        pub = outputs.cycle_publication(cycle, language=get_language() or "en")
        return _document(fmt, pub, f"{cycle.catalogue.code}-{cycle.year}")


class WarningSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    thresholds = serializers.DictField(child=serializers.IntegerField())
    totals = serializers.DictField(child=serializers.IntegerField())
    own = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    by_state = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    check_rates = serializers.ListField(child=serializers.IntegerField())
    check_falling = serializers.BooleanField()
    breaches = serializers.ListField(child=serializers.CharField())


class WarningView(APIView):
    @extend_schema(
        summary="Early-warning figures (by state for the secretariat only)",
        parameters=[
            OpenApiParameter(
                "organisation", str, description="Acronym (default: your organisation's)."
            )
        ],
        responses={200: WarningSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        permissions.require_use(request.user)
        organisation = selectors.default_organisation(
            request.user, request.query_params.get("organisation", "")
        )
        if organisation is None:
            raise Http404(_("No organisation has this acronym."))
        board = warning.dashboard(request.user, organisation)
        return Response(
            {
                "organisation": organisation.acronym,
                "thresholds": board.thresholds,
                "totals": board.totals,
                "own": board.own,
                "by_state": {state.iso3: values for state, values in board.by_state},
                "check_rates": [c.rate for c in board.checks],
                "check_falling": board.check_falling,
                "breaches": board.breaches,
            }
        )


class ThresholdSerializer(serializers.Serializer):
    signal = serializers.ChoiceField(choices=Signal.choices)
    value = serializers.IntegerField(min_value=0, max_value=1_000_000)


class ThresholdView(APIView):
    @extend_schema(
        summary="Set a threshold (the organisation's secretariat)",
        request=ThresholdSerializer,
        responses={200: ThresholdSerializer, **ERRORS},
    )
    def put(self, request: Request, acronym: str) -> Response:
        organisation = _organisation(acronym)
        permissions.require_manage(request.user, organisation.pk)
        data = validated(ThresholdSerializer, request)
        threshold = services.threshold_set(actor=request.user, organisation=organisation, **data)
        return Response({"signal": threshold.signal, "value": threshold.value})
