"""The exercises REST API, mounted at /api/v1/exercises/: scenarios, their injects and runs
(resources: ViewSets), and the actions on them (APIViews): import a spreadsheet, start /
pause / resume / end a run, inject now / skip, score, and a run's results.

It reads through the same selectors and writes through the same services as the pages: a
scenario or run outside the caller's view is a 404; players see their own injects, never the
plan; only the control cell acts on a run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS, error_responses, validated
from cbmhub.core.errors import Forbidden
from cbmhub.core.parsers import BoundedJSONParser
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation, State
from cbmhub.exchange.choices import Tlp as ExchangeTlp

from . import permissions, plan, selectors, services
from .choices import (
    Condition,
    ControlCell,
    ExpectationKind,
    InjectKind,
    MemberRole,
    WaitFor,
)
from .models import Expectation, Inject, Run, Scenario
from .selectors import Facts, Figures

TAGS = ["exercises"]
WRITE_ERRORS = error_responses(400, 403)
READ_ERRORS = error_responses(404)


# --- serializers ----------------------------------------------------------------------------------


class ExpectationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExpectationKind.choices)
    within = serializers.DurationField(help_text="e.g. 00:15:00")


class InjectSerializer(serializers.ModelSerializer):
    recipients: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(
        slug_field="iso3", many=True, read_only=True, help_text="Empty: every player."
    )
    expectations = ExpectationSerializer(many=True, read_only=True)
    after_state = serializers.CharField(
        source="after_state.iso3", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Inject
        fields = [
            "id",
            "scenario",
            "offset",
            "kind",
            "recipients",
            "subject",
            "body",
            "language",
            "translations",
            "after",
            "after_state",
            "wait_for",
            "condition",
            "check_deadline",
            "tlp",
            "expectations",
        ]


class InjectCreateSerializer(serializers.Serializer):
    scenario = serializers.IntegerField()
    offset = serializers.DurationField()
    kind = serializers.ChoiceField(choices=InjectKind.choices)
    subject = serializers.CharField(max_length=180)
    body = serializers.CharField(required=False, default="", allow_blank=True)
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=3),
        required=False,
        default=list,
        help_text="ISO3 codes of player states; empty: every player.",
    )
    language = serializers.CharField(max_length=10, required=False, default="en")
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()), required=False, default=dict
    )
    after = serializers.IntegerField(required=False, allow_null=True, default=None)
    after_state = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)
    wait_for = serializers.ChoiceField(choices=WaitFor.choices, required=False, default="")
    condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, default=Condition.ALWAYS
    )
    check_deadline = serializers.DurationField(required=False, default=timedelta(hours=1))
    tlp = serializers.ChoiceField(
        choices=ExchangeTlp.choices,
        required=False,
        default=ExchangeTlp.GREEN,
        help_text="Exchange inject: the TLP level its STIX objects are shared under.",
    )
    expectations = ExpectationSerializer(many=True, required=False, default=list)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=MemberRole.choices)


class ScenarioSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym", read_only=True)
    sender_state = serializers.CharField(source="sender_state.iso3", read_only=True)
    states: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(
        slug_field="iso3", many=True, read_only=True
    )

    class Meta:
        model = Scenario
        fields = [
            "id",
            "title",
            "objectives",
            "organisation",
            "control_cell",
            "sender_state",
            "states",
            "level",
            "escalation_allowed",
        ]


class ScenarioCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    objectives = serializers.CharField(required=False, default="", allow_blank=True)
    organisation = serializers.CharField(help_text="Acronym.")
    sender_state = serializers.CharField(max_length=3, help_text="ISO3 of the lead state.")
    states = serializers.ListField(child=serializers.CharField(max_length=3))
    control_cell = serializers.ChoiceField(
        choices=ControlCell.choices, required=False, default=ControlCell.SECRETARIAT
    )
    level = serializers.CharField(required=False, default="technical")
    escalation_allowed = serializers.BooleanField(required=False, default=False)
    members = MemberSerializer(many=True, required=False, default=list)


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = [
            "id",
            "scenario",
            "number",
            "status",
            "speed",
            "started_at",
            "paused_at",
            "ended_at",
            "paused_total",
            "anonymise",
        ]
        read_only_fields = [f for f in fields if f not in ("scenario", "speed", "anonymise")]


class RunCreateSerializer(serializers.Serializer):
    scenario = serializers.IntegerField()
    speed = serializers.IntegerField(min_value=1, max_value=3600, required=False, default=1)
    anonymise = serializers.BooleanField(required=False, default=True)


class InjectImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV or XLSX: offset, kind, recipients, text, expectation"
    )


class RunScoreSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The run's inject (results: item).")
    state = serializers.CharField(max_length=3, help_text="ISO3")
    expectation = serializers.IntegerField(required=False, allow_null=True, default=None)
    met = serializers.BooleanField(required=False, allow_null=True, default=None)
    score = serializers.IntegerField(
        min_value=0, max_value=5, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(required=False, default="", allow_blank=True)


class FeedbackSerializer(serializers.Serializer):
    went_well = serializers.CharField(required=False, default="", allow_blank=True)
    to_improve = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Lessons learned."
    )
    recommendation = serializers.CharField(required=False, default="", allow_blank=True)


class FiguresSerializer(serializers.Serializer):
    injects = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    replied = serializers.IntegerField()
    median_ack = serializers.FloatField(allow_null=True, help_text="seconds, run's clock")
    max_ack = serializers.FloatField(allow_null=True)
    median_reply = serializers.FloatField(allow_null=True)
    met = serializers.IntegerField()
    expected = serializers.IntegerField()
    unanswered = serializers.IntegerField()


class CellSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    offset = serializers.DurationField()
    kind = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.CharField()
    status = serializers.CharField(help_text="sent, delivered, acknowledged or answered")
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    message = serializers.IntegerField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    run = RunSerializer()
    cells = CellSerializer(many=True)
    overall = FiguresSerializer(required=False)
    by_state = serializers.DictField(child=FiguresSerializer(), required=False)
    by_state_level = serializers.ListField(child=serializers.DictField(), required=False)


# --- helpers --------------------------------------------------------------------------------------


def _states(codes: list[str], field: str) -> list[State]:
    wanted = [c.upper() for c in codes]
    found = {s.iso3: s for s in State.objects.filter(iso3__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("Unknown state(s): %s.") % ", ".join(missing)]}
        )
    return [found[c] for c in wanted]


def _figures(f: Figures) -> dict[str, Any]:
    return dict(f.__dict__)


def _cell(item: Any, state: State, facts: Facts) -> dict[str, Any]:
    return {
        "item": item.pk,
        "offset": item.inject.offset,
        "kind": item.inject.kind,
        "subject": item.inject.subject,
        "state": state.iso3,
        "status": facts.status,
        "sent_at": facts.sent_at,
        "delivered_at": facts.delivered_at,
        "acknowledged_at": facts.acknowledged_at,
        "replied_at": facts.replied_at,
        "message": facts.message_id,
    }


# --- resources ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="Scenarios you take part in"),
    retrieve=extend_schema(
        tags=TAGS, summary="One scenario", responses={200: ScenarioSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Add a scenario to the library (secretariat, lead state)",
        request=ScenarioCreateSerializer,
        responses={201: ScenarioSerializer, **WRITE_ERRORS},
    ),
)
class ScenarioViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ScenarioSerializer

    def get_queryset(self):
        return selectors.scenario_list(self.request.user).order_by("id")

    def get_object(self) -> Scenario:
        try:
            return selectors.access_scenario(self.request.user, self.kwargs["pk"])
        except Http404 as exc:
            raise NotFound(_("No such scenario.")) from exc

    def create(self, request: Request) -> Response:
        data = validated(ScenarioCreateSerializer, request)
        organisation = Organisation.objects.filter(acronym=data["organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError({"organisation": [_("Unknown organisation.")]})
        members = []
        users = get_user_model().objects
        for index, member in enumerate(data["members"]):
            user = users.filter(username=member["username"]).first()
            if user is None:
                raise serializers.ValidationError(
                    {f"members[{index}].username": [_("Unknown user.")]}
                )
            members.append((user, member["role"]))
        scenario = services.scenario_create(
            actor=request.user,
            organisation=organisation,
            title=data["title"],
            objectives=data["objectives"],
            sender_state=_states([data["sender_state"]], "sender_state")[0],
            states=_states(data["states"], "states"),
            control_cell=data["control_cell"],
            level=data["level"],
            escalation_allowed=data["escalation_allowed"],
            members=members,
        )
        return Response(ScenarioSerializer(scenario).data, status=201)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="The plan: injects of the scenarios you control or evaluate",
        parameters=[OpenApiParameter("scenario", int, description="Only this scenario's.")],
    ),
    retrieve=extend_schema(
        tags=TAGS, summary="One inject of a plan", responses={200: InjectSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Add an inject to a scenario (control cell)",
        request=InjectCreateSerializer,
        responses={201: InjectSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class InjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InjectSerializer

    def get_queryset(self):
        user = self.request.user
        planned = [s.pk for s in selectors.scenario_list(user) if permissions.sees_plan(user, s)]
        injects = (
            Inject.objects.filter(scenario_id__in=planned)
            .prefetch_related("recipients", "expectations")
            .select_related("after_state")
        )
        scenario = self.request.query_params.get("scenario")
        if scenario:
            injects = injects.filter(scenario_id=int_or_404(scenario))
        return injects.order_by("scenario_id", "offset", "id")

    def create(self, request: Request) -> Response:
        data = validated(InjectCreateSerializer, request)
        scenario = selectors.access_scenario(request.user, data["scenario"])
        after = None
        if data["after"] is not None:
            after = Inject.objects.filter(scenario=scenario, pk=data["after"]).first()
            if after is None:
                raise serializers.ValidationError(
                    {"after": [_("No such inject in this scenario.")]}
                )
        spec = services.InjectSpec(
            offset=data["offset"],
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            recipients=_states(data["recipients"], "recipients"),
            language=data["language"],
            translations=data["translations"],
            after=after,
            after_state=_states([data["after_state"]], "after_state")[0]
            if data["after_state"]
            else None,
            wait_for=data["wait_for"],
            condition=data["condition"],
            check_deadline=data["check_deadline"],
            expectations=[(e["kind"], e["within"]) for e in data["expectations"]],
            tlp=data["tlp"],
        )
        inject = services.inject_add(actor=request.user, scenario=scenario, spec=spec)
        return Response(InjectSerializer(inject).data, status=201)


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="Runs of the scenarios you take part in"),
    retrieve=extend_schema(
        tags=TAGS, summary="One run", responses={200: RunSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Prepare a run of a scenario (control cell)",
        request=RunCreateSerializer,
        responses={201: RunSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer

    def get_queryset(self):
        return selectors.run_list(self.request.user).order_by("id")

    def get_object(self) -> Run:
        try:
            return selectors.access_run(self.request.user, self.kwargs["pk"])
        except Http404 as exc:
            raise NotFound(_("No such run.")) from exc

    def create(self, request: Request) -> Response:
        data = validated(RunCreateSerializer, request)
        scenario = selectors.access_scenario(request.user, data["scenario"])
        run = services.run_create(
            actor=request.user, scenario=scenario, speed=data["speed"], anonymise=data["anonymise"]
        )
        return Response(RunSerializer(run).data, status=201)


# --- actions --------------------------------------------------------------------------------------


class ScenarioImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="exercises_scenario_import",
        summary="Add injects from a CSV or XLSX file, all or nothing (control cell)",
        request={"multipart/form-data": InjectImportSerializer},
        responses={201: InjectSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, scenario_id: int) -> Response:
        scenario = selectors.access_scenario(request.user, scenario_id)
        if not permissions.is_control(request.user, scenario):
            raise Forbidden(_("Only the control cell of this exercise may do this."))
        upload = validated(InjectImportSerializer, request)["file"]
        try:
            rows = plan.read_file(upload.read(), upload.name or "")
        except plan.PlanError as error:
            raise services.ExercisesError(str(error), code="invalid", field="file") from error
        injects = services.scenario_import(actor=request.user, scenario=scenario, rows=rows)
        return Response(InjectSerializer(injects, many=True).data, status=201)


RUN_ACTIONS = {
    "start": services.run_start,
    "pause": services.run_pause,
    "resume": services.run_resume,
    "end": services.run_end,
}


class RunActionView(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="exercises_run_action",
        request=None,
        summary="Start, pause, resume or end a run (control cell)",
        responses={200: RunSerializer, **ERRORS},
    )
    def post(self, request: Request, run_id: int, action: str) -> Response:
        run = selectors.access_run(request.user, run_id)
        service = RUN_ACTIONS.get(action)
        if service is None:
            raise NotFound(_("No such action."))
        return Response(RunSerializer(service(actor=request.user, run=run)).data)


class RunInjectActionView(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="exercises_run_inject_action",
        request=None,
        summary="Send a pending inject now, or skip it (control cell)",
        responses={200: RunSerializer, **ERRORS},
    )
    def post(self, request: Request, run_id: int, item_id: int, action: str) -> Response:
        run = selectors.access_run(request.user, run_id)
        item = selectors.access_run_inject(request.user, run, item_id)
        if action == "now":
            services.run_inject_now(actor=request.user, run_inject=item)
        elif action == "skip":
            services.run_inject_skip(actor=request.user, run_inject=item)
        else:
            raise NotFound(_("No such action."))
        return Response(RunSerializer(selectors.access_run(request.user, run_id)).data)


class RunScoreView(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="exercises_run_score",
        request=RunScoreSerializer,
        summary="Score one state's handling of an inject (evaluators)",
        responses={200: RunScoreSerializer, **ERRORS},
    )
    def post(self, request: Request, run_id: int) -> Response:
        run = selectors.access_run(request.user, run_id)
        if not permissions.may_score(request.user, run.scenario):
            raise Forbidden(_("Only an evaluator of this exercise may score it."))
        data = validated(RunScoreSerializer, request)
        item = selectors.access_run_inject(request.user, run, data["item"])
        expectation = None
        if data["expectation"] is not None:
            expectation = Expectation.objects.filter(
                pk=data["expectation"], inject_id=item.inject_id
            ).first()
            if expectation is None:
                raise serializers.ValidationError({"expectation": [_("No such expectation.")]})
        services.score_set(
            actor=request.user,
            run_inject=item,
            state=_states([data["state"]], "state")[0],
            expectation=expectation,
            met=data["met"],
            score=data["score"],
            comment=data["comment"],
        )
        return Response(data)


class RunFeedbackView(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="exercises_run_feedback",
        request=FeedbackSerializer,
        summary="Answer the after-action questionnaire (participants; again: replaced)",
        responses={200: FeedbackSerializer, **ERRORS},
    )
    def post(self, request: Request, run_id: int) -> Response:
        run = selectors.access_run(request.user, run_id)
        data = validated(FeedbackSerializer, request)
        services.feedback_submit(actor=request.user, run=run, **data)
        return Response(data)


class RunResultsView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="exercises_run_results",
        summary="What the records say: every state's cells and figures (control, evaluators, "
        "observers); a player gets their own state's cells only",
        responses={200: ResultsSerializer, **ERRORS},
    )
    def get(self, request: Request, run_id: int) -> Response:
        run = selectors.access_run(request.user, run_id)
        if not permissions.sees_results(request.user, run.scenario):
            timeline = selectors.player_injects(request.user, run)
            cells = [
                _cell(row.item, state, cell)
                for row in timeline.rows
                for state, cell in zip(timeline.states, row.cells, strict=True)
                if cell is not None
            ]
            return Response({"run": RunSerializer(run).data, "cells": cells})
        results = selectors.run_results(run)
        return Response(
            {
                "run": RunSerializer(run).data,
                "cells": [_cell(o.item, o.state, o.facts) for o in results.outcomes],
                "overall": _figures(results.overall),
                "by_state": {s.iso3: _figures(f) for s, f in results.by_state},
                "by_state_level": [
                    {"state": s.iso3, "level": level, **_figures(f)}
                    for s, level, f in results.by_state_level
                ],
            }
        )
