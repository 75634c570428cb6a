"""The meetings REST API, mounted at /api/v1/meetings/: meetings (with parts, agenda, outcomes,
delegations), notes (versions, enclosures), a document's path through bodies; actions (add an
agenda item, record an outcome, nominate and accept a delegation, set a status, issue a note)
are APIViews. The same selectors and services as the pages: what a caller may not see is 404,
what they may not do is 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS, validated
from cbmhub.core.errors import Forbidden
from cbmhub.directory.models import Body, State
from cbmhub.measures.models import Measure, Plan
from cbmhub.negotiations.models import Document
from cbmhub.negotiations.selectors import access_document

from . import permissions, selectors, services
from .choices import Addressees, Effect, MeetingKind, MeetingStatus, OutcomeKind, VersionStatus
from .models import (
    AgendaItem,
    Delegation,
    Meeting,
    MeetingPart,
    Note,
    NoteSeries,
    Outcome,
    Participant,
)

TAGS = ["meetings"]


# --- serializers ------------------------------------------------------------------------------


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingPart
        fields = ["id", "starts_at", "ends_at", "venue", "online_url"]


class OutcomeSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body.acronym")
    target_body = serializers.CharField(source="target_body.acronym", allow_null=True, default=None)

    class Meta:
        model = Outcome
        fields = ["id", "kind", "wording", "effect", "body", "target_body", "document", "revision"]


class AgendaItemSerializer(serializers.ModelSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "document",
            "revision",
            "measure",
            "plan",
            "note",
            "outcomes",
        ]


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "name", "function", "is_head"]


class DelegationSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3", allow_null=True, default=None)
    members = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "state", "name", "kind", "status", "members"]


class MeetingSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym", read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True)
    parts = PartSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organisation",
            "body",
            "body_name",
            "title",
            "kind",
            "status",
            "time_zone",
            "sequence",
            "restricted",
            "parts",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)
    delegations = DelegationSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "delegations"]


class PartInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    venue = serializers.CharField(max_length=300, required=False, default="")
    online_url = serializers.URLField(required=False, default="")


class MeetingCreateSerializer(serializers.Serializer):
    body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.all())
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    time_zone = serializers.CharField(max_length=64, default="UTC")
    parts = PartInputSerializer(many=True)
    states = serializers.SlugRelatedField(
        slug_field="iso3", queryset=State.objects.all(), many=True, required=False
    )


class AgendaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), required=False, allow_null=True, default=None
    )
    note = serializers.PrimaryKeyRelatedField(
        queryset=Note.objects.all(), required=False, allow_null=True, default=None
    )
    measure = serializers.PrimaryKeyRelatedField(
        queryset=Measure.objects.select_related("catalogue"),
        required=False,
        allow_null=True,
        default=None,
        help_text="A measure of one of the meeting organisation's catalogues.",
    )
    plan = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.select_related("measure__catalogue"),
        required=False,
        allow_null=True,
        default=None,
        help_text="A plan of implementation of such a measure; its measure is linked with it.",
    )


class OutcomeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    wording = serializers.CharField(max_length=5000)
    effect = serializers.ChoiceField(choices=Effect.choices, default=Effect.NONE)
    target_body = serializers.PrimaryKeyRelatedField(
        queryset=Body.objects.all(), required=False, allow_null=True, default=None
    )


class MemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    function = serializers.CharField(max_length=200, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    is_head = serializers.BooleanField(default=False)


class NominateSerializer(serializers.Serializer):
    members = MemberInputSerializer(many=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MeetingStatus.choices)


class VersionSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=10)
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    body = serializers.CharField()


class EnclosureSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    document = serializers.IntegerField(source="document_id", allow_null=True)
    revision = serializers.IntegerField(source="revision_id", allow_null=True)
    pages = serializers.IntegerField()


class NoteSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.acronym", read_only=True)
    versions = VersionSerializer(many=True, read_only=True)
    enclosures = EnclosureSerializer(many=True, read_only=True)

    class Meta:
        model = Note
        fields = [
            "id",
            "organisation",
            "series",
            "number",
            "symbol",
            "status",
            "subject",
            "place",
            "date",
            "addressees",
            "versions",
            "enclosures",
            "circulated_message",
        ]
        extra_kwargs = {
            "circulated_message": {
                "help_text": "The hotline message that circulated the note (null: not yet)."
            }
        }


class CirculationReceiptSerializer(serializers.Serializer):
    state = serializers.CharField(source="state.iso3", help_text="ISO alpha-3 of the addressee.")
    delivered_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True, help_text="Read (acknowledged).")
    replied_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="pending, delivered, acknowledged or replied.")


class CirculationSerializer(serializers.Serializer):
    note = serializers.IntegerField()
    message = serializers.IntegerField(allow_null=True, help_text="The hotline message.")
    receipts = CirculationReceiptSerializer(many=True)


class StageSerializer(serializers.Serializer):
    stage = serializers.CharField(allow_null=True)
    path = OutcomeSerializer(many=True)


# --- resources --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=TAGS, responses={200: MeetingSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(tags=TAGS, responses={200: MeetingDetailSerializer, **ERRORS}),
    create=extend_schema(
        tags=TAGS,
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer, **ERRORS},
    ),
)
class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()  # the schema's id type; get_queryset scopes the reads

    def get_queryset(self) -> Any:
        return selectors.meeting_list(self.request.user).order_by("-starts_at", "-id")

    def get_object(self) -> Meeting:
        meeting = selectors.access_meeting(self.request.user, self.kwargs["pk"])
        return selectors.meeting_detail(meeting)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(MeetingDetailSerializer(self.get_object()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(MeetingCreateSerializer, request)
        meeting = services.meeting_create(
            actor=request.user,
            body=data["body"],
            title=data["title"],
            kind=data["kind"],
            time_zone=data["time_zone"],
            parts=[services.PartInput(**part) for part in data["parts"]],
            states=data.get("states", []),
        )
        detail = selectors.meeting_detail(meeting)
        return Response(MeetingDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class NoteCreateSerializer(serializers.Serializer):
    series = serializers.PrimaryKeyRelatedField(queryset=NoteSeries.objects.all())
    subject = serializers.CharField(max_length=300)
    place = serializers.CharField(max_length=120)
    date = serializers.DateField()
    addressees = serializers.ChoiceField(
        choices=Addressees.choices, default=Addressees.MEMBER_STATES
    )
    states = serializers.SlugRelatedField(
        slug_field="iso3", queryset=State.objects.all(), many=True, required=False
    )
    versions = VersionSerializer(many=True)


@extend_schema_view(
    list=extend_schema(tags=TAGS, responses={200: NoteSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(tags=TAGS, responses={200: NoteSerializer, **ERRORS}),
    create=extend_schema(
        tags=TAGS,
        request=NoteCreateSerializer,
        responses={201: NoteSerializer, **ERRORS},
        description="A draft note (the secretariat); it gets its number when issued.",
    ),
)
class NoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NoteSerializer
    queryset = Note.objects.none()

    def get_queryset(self) -> Any:
        return selectors.note_list(self.request.user).order_by("-date", "-id")

    def get_object(self) -> Note:
        return selectors.access_note(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(NoteCreateSerializer, request)
        note = services.note_create(
            actor=request.user,
            series=data["series"],
            subject=data["subject"],
            place=data["place"],
            date=data["date"],
            addressees=data["addressees"],
            states=data.get("states", []),
            versions=[services.VersionInput(**version) for version in data["versions"]],
        )
        note = selectors.access_note(request.user, note.pk)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


# --- actions ----------------------------------------------------------------------------------


class AgendaAddView(APIView):
    @extend_schema(
        tags=TAGS, request=AgendaInputSerializer, responses={201: AgendaItemSerializer, **ERRORS}
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.access_meeting(request.user, meeting_id)
        data = validated(AgendaInputSerializer, request)
        document = data["document"]
        revision = document.revisions.order_by("-date", "-id").first() if document else None
        item = services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            document=document,
            revision=revision,
            note=data["note"],
            measure=data["measure"],
            plan=data["plan"],
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class OutcomeAddView(APIView):
    @extend_schema(
        tags=TAGS, request=OutcomeInputSerializer, responses={201: OutcomeSerializer, **ERRORS}
    )
    def post(self, request: Request, item_id: int) -> Response:
        item = selectors.access_agenda_item(request.user, item_id)
        data = validated(OutcomeInputSerializer, request)
        outcome = services.outcome_record(actor=request.user, agenda_item=item, **data)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class NominateView(APIView):
    @extend_schema(
        tags=TAGS,
        request=NominateSerializer,
        responses={201: DelegationSerializer, **ERRORS},
        description="A state's delegation, nominated by its focal point (state by ISO3 code).",
    )
    def post(self, request: Request, meeting_id: int, iso3: str) -> Response:
        meeting = selectors.access_meeting(request.user, meeting_id)
        state = State.objects.filter(iso3__iexact=iso3).first()
        if state is None:
            raise services.MeetingsError(_("No such state."), field="iso3")
        data = validated(NominateSerializer, request)
        delegation = services.delegation_nominate(
            actor=request.user,
            meeting=meeting,
            state=state,
            members=[services.MemberInput(**member) for member in data["members"]],
        )
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


class AcceptView(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: DelegationSerializer, **ERRORS})
    def post(self, request: Request, delegation_id: int) -> Response:
        delegation = selectors.access_delegation(request.user, delegation_id)
        delegation = services.delegation_accept(actor=request.user, delegation=delegation)
        return Response(DelegationSerializer(delegation).data)


class StatusView(APIView):
    @extend_schema(
        tags=TAGS, request=StatusSerializer, responses={200: MeetingSerializer, **ERRORS}
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.access_meeting(request.user, meeting_id)
        data = validated(StatusSerializer, request)
        meeting = services.meeting_set_status(
            actor=request.user, meeting=meeting, status=data["status"]
        )
        return Response(MeetingSerializer(meeting).data)


class NoteIssueView(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: NoteSerializer, **ERRORS})
    def post(self, request: Request, note_id: int) -> Response:
        note = selectors.access_note(request.user, note_id)
        if not permissions.can_manage(request.user, note.organisation_id):
            raise Forbidden(_("Only the secretariat issues notes."))
        note = services.note_issue(actor=request.user, note=note)
        return Response(NoteSerializer(selectors.access_note(request.user, note.pk)).data)


def _circulation(request: Request, note: Note) -> dict[str, Any]:
    return {
        "note": note.pk,
        "message": note.circulated_message_id,
        "receipts": CirculationReceiptSerializer(
            selectors.note_circulation(request.user, note), many=True
        ).data,
    }


class NoteCirculateView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="meetings_note_circulation",
        summary="Where the note's circulation stands with each addressee (hotline receipts)",
        responses={200: CirculationSerializer, **ERRORS},
    )
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.access_note(request.user, note_id)
        return Response(_circulation(request, note))

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_note_circulate",
        summary="Circulate an issued note through the hotline (the organisation's secretariat)",
        request=None,
        responses={200: CirculationSerializer, **ERRORS},
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = selectors.access_note(request.user, note_id)
        if not permissions.can_circulate(request.user, note):
            raise Forbidden(_("Only the secretariat of the organisation circulates its notes."))
        note = services.note_circulate(actor=request.user, note=note)
        return Response(_circulation(request, note))


class DocumentStageView(APIView):
    @extend_schema(tags=TAGS, responses={200: StageSerializer, **ERRORS})
    def get(self, request: Request, document_id: int) -> Response:
        document = access_document(request.user, document_id)
        path = selectors.document_path(request.user, document)
        stage = selectors.document_stage(path)
        return Response(
            {
                "stage": stage.label if stage else None,
                "path": OutcomeSerializer(path, many=True).data,
            }
        )
