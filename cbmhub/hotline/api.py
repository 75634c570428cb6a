"""The hotline's REST API: inbox, send, read, acknowledge, reply, channels, and communication
checks (start, read results, answer).

It calls the same selectors and services as the pages, so need to know is the same: a message
outside the caller's view is a 404; the secretariat and operators get a bilateral message's
metadata with ``subject``, ``body`` and ``attachments`` withheld (``content_withheld: true``).
``POST messages/`` and ``POST messages/{id}/reply/`` honour an ``Idempotency-Key`` header: a retry
of the same request answers 200 with the message the first one created, never a second message;
the same key with a different request answers 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ERRORS, ErrorSerializer, validated
from cbmhub.core.pagination import StrictLimitOffsetPagination
from cbmhub.core.parsers import BoundedJSONParser
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State

from . import permissions as hotline_permissions
from . import selectors, services
from .choices import MessageKind, Priority, Tlp
from .models import Channel, CheckTarget, CommunicationCheck, Message, Receipt

# --- serializers ------------------------------------------------------------------------------


class ReceiptSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3", help_text="ISO alpha-3 of the recipient.")
    status = serializers.ChoiceField(
        choices=["pending", "delivered", "acknowledged", "replied"], read_only=True
    )
    message = serializers.IntegerField(source="message_id")
    reply = serializers.IntegerField(source="reply_id", allow_null=True)
    # A plain string in the schema: the same choices as "level" (technical ... high_level).
    escalation_level = serializers.CharField(help_text="The level notified last.")
    escalation_reached = serializers.IntegerField(
        allow_null=True,
        read_only=True,
        help_text="Points of contact the last escalation reached (0: nobody; it stopped).",
    )
    escalation_unreachable = serializers.ListField(
        child=serializers.CharField(),
        source="unreachable_levels",
        read_only=True,
        help_text="Levels the last escalation looked at where the state has no point of contact.",
    )

    class Meta:
        model = Receipt
        fields = [
            "message",
            "state",
            "status",
            "delivered_at",
            "acknowledged_at",
            "replied_at",
            "reply",
            "ack_due_at",
            "reply_due_at",
            "escalation_level",
            "escalation_count",
            "escalation_reached",
            "escalation_unreachable",
        ]


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class MessageSerializer(serializers.ModelSerializer):
    """A message as the caller may see it. Without the right to read its content (the
    secretariat or an operator on a bilateral channel), ``subject``, ``body``, ``sender``,
    ``attachments`` and ``content_salt`` are null and ``content_withheld`` is true.

    ``content_sha256`` is a commitment, HMAC-SHA256 keyed with ``content_salt`` of the canonical
    JSON of subject, body, language and attachments (docs/hotline.md): the readers of the content
    check it, the others cannot test a guess against it. For a message sent before commitments
    (no salt) it is a plain SHA-256, shown to the readers of the content only."""

    channel_name = serializers.CharField(source="channel.name")
    sender_state = serializers.CharField(
        source="sender_state.iso3",
        allow_null=True,
        help_text="ISO alpha-3 of the sending state; null when an organisation sent it.",
    )
    sender_organisation = serializers.CharField(
        source="sender_organisation.acronym",
        allow_null=True,
        default=None,
        help_text="Acronym of the organisation whose secretariat sent it; null for a state.",
    )
    sender = serializers.CharField(source="sender.username", allow_null=True, default=None)
    subject = serializers.CharField(allow_null=True)
    body = serializers.CharField(allow_null=True)
    attachments = AttachmentSerializer(many=True, allow_null=True)
    content_withheld = serializers.SerializerMethodField()
    content_sha256 = serializers.CharField(allow_null=True)
    content_salt = serializers.CharField(
        allow_null=True, help_text="The commitment's key (hex); null where content is withheld."
    )
    receipts = ReceiptSerializer(many=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "channel_name",
            "kind",
            "priority",
            "tlp",
            "language",
            "instrument",
            "reply_deadline",
            "in_reply_to",
            "sender_state",
            "sender_organisation",
            "sender",
            "sent_at",
            "content_sha256",
            "content_salt",
            "content_withheld",
            "subject",
            "body",
            "attachments",
            "receipts",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whether the caller may read a channel's content, asked once per channel: a list's
        # items share this serializer (DRF reuses one child for every item).
        # A caller that already knows the answer passes it as context["_readable"]
        # (_message_response: the sender's own new message), so it is not asked again.
        self._readable_channels: dict[int, bool] = dict(self.context.get("_readable", {}))

    def _readable(self, message: Message) -> bool:
        cache = self._readable_channels
        if message.channel_id not in cache:
            cache[message.channel_id] = hotline_permissions.can_read_content(
                self.context["request"].user, message.channel
            )
        return cache[message.channel_id]

    def get_content_withheld(self, message: Message) -> bool:
        return not self._readable(message)

    def to_representation(self, message: Message) -> dict[str, Any]:
        data = super().to_representation(message)
        if not data["content_salt"]:
            data["content_salt"] = None  # format 1: no salt
        if not self._readable(message):
            data.update(subject=None, body=None, sender=None, attachments=None, content_salt=None)
            if not message.content_salt:
                # An unsalted hash of guessable content: an oracle for whoever may not read it.
                data["content_sha256"] = None
        return data


class InboxItemSerializer(serializers.Serializer):
    """An inbox entry: ``due_at`` is the next deadline waiting on someone (``due_kind``: "ack"
    or "reply"); ``action`` is true when the caller's state owes it."""

    message = MessageSerializer()
    due_at = serializers.DateTimeField(allow_null=True)
    due_kind = serializers.CharField(allow_blank=True)
    action = serializers.BooleanField()


class SendSerializer(serializers.Serializer):
    channel = serializers.IntegerField(help_text="Id of a channel your state takes part in.")
    kind = serializers.ChoiceField(
        choices=[c for c in MessageKind.choices if c[0] != MessageKind.RESPONSE],
        help_text="The template; answer a message with its reply endpoint.",
    )
    priority = serializers.ChoiceField(choices=Priority.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    language = serializers.CharField(max_length=10, default="en")
    tlp = serializers.ChoiceField(choices=Tlp.choices, default=Tlp.AMBER)
    instrument = serializers.CharField(max_length=120, required=False, default="")
    reply_deadline = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Set by the instrument invoked."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="multipart only"
    )
    recipient_states = serializers.ListField(
        child=serializers.CharField(max_length=3),
        required=False,
        allow_null=True,
        default=None,
        help_text="ISO alpha-3 codes: send to these participants only (default: every other).",
    )


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    subject = serializers.CharField(max_length=200, required=False, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False, allow_null=True)
    language = serializers.CharField(max_length=10, required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="multipart only"
    )


class ChannelSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(
        source="organisation.acronym", allow_null=True, default=None
    )
    state_a = serializers.CharField(source="state_a.iso3", allow_null=True, default=None)
    state_b = serializers.CharField(source="state_b.iso3", allow_null=True, default=None)

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "scope",
            "level",
            "arrangement",
            "organisation",
            "state_a",
            "state_b",
            "is_active",
            "ack_routine",
            "reply_routine",
            "ack_urgent",
            "reply_urgent",
            "ack_flash",
            "reply_flash",
        ]


class CheckTargetSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.iso3")
    point_of_contact = serializers.IntegerField(source="point_of_contact_id")
    in_time = serializers.BooleanField()

    class Meta:
        model = CheckTarget
        fields = ["id", "state", "level", "point_of_contact", "answered_at", "in_time"]


class SummarySerializer(serializers.Serializer):
    targets = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_in_time = serializers.IntegerField()
    response_rate = serializers.FloatField(help_text="Answered within the deadline / asked.")
    response_seconds = serializers.ListField(child=serializers.IntegerField())
    median_seconds = serializers.IntegerField(allow_null=True)
    max_seconds = serializers.IntegerField(allow_null=True)


class StatisticsSerializer(serializers.Serializer):
    overall = SummarySerializer()
    by_state = serializers.DictField(child=SummarySerializer(), help_text="By ISO alpha-3.")
    by_level = serializers.DictField(child=SummarySerializer())


class CheckSerializer(serializers.ModelSerializer):
    """A check; ``statistics`` only for the secretariat and operators (null for a state, which
    sees its own targets only)."""

    organisation = serializers.CharField(source="organisation.acronym")
    targets = serializers.SerializerMethodField()
    statistics = serializers.SerializerMethodField()

    class Meta:
        model = CommunicationCheck
        fields = [
            "id",
            "organisation",
            "note",
            "started_at",
            "deadline",
            "closed_at",
            "targets",
            "statistics",
        ]

    @extend_schema_field(CheckTargetSerializer(many=True))
    def get_targets(self, check: CommunicationCheck) -> list[dict[str, Any]]:
        user = self.context["request"].user
        targets = CheckTargetSerializer(selectors.check_targets(user, check), many=True)
        return list(targets.data)

    @extend_schema_field(StatisticsSerializer(allow_null=True))
    def get_statistics(self, check: CommunicationCheck) -> dict[str, Any] | None:
        if not hotline_permissions.sees_all_check_targets(self.context["request"].user):
            return None
        return selectors.check_statistics(check)


class CheckStartSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="acronym", queryset=Organisation.objects.all()
    )
    states = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=State.objects.all(),
        many=True,
        required=False,
        help_text="ISO alpha-3 codes; omitted: every member state.",
    )
    # Plain strings: the service names an unknown level in its error (field "levels").
    levels = serializers.ListField(
        child=serializers.CharField(max_length=16),
        required=False,
        help_text=f"Any of {', '.join(Level.values)}; omitted: every level.",
    )
    deadline_minutes = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60, default=60)
    note = serializers.CharField(max_length=200, required=False, default="")


class CheckConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64, help_text="The token of the e-mailed link.")


# --- views --------------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (up to 255 characters) chosen by the client, e.g. a UUID. A retry "
        "with the same key and the same request returns the first message (200) and never "
        "creates a second; the same key with a different request answers 409."
    ),
)
TAGS = ["hotline"]


def _message_response(request: Request, result: services.SendResult) -> Response:
    # A new message is serialised as the service returned it (its receipts, states and
    # attachments are on it: no query per recipient, none re-read); a retry's is read back.
    context: dict[str, Any] = {"request": request}
    if result.created:
        message = result.message
        _prefetched(message, receipts=result.receipts, attachments=result.attachments)
        # The service sent it from the caller's state, a participant: it reads the content.
        context["_readable"] = {message.channel_id: True}
    else:
        message = selectors.access_message(request.user, result.message.pk).message
    data = MessageSerializer(message, context=context).data
    response = Response(
        data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
    )
    response["Location"] = reverse("api:hotline-message-detail", args=[message.pk])
    return response


def _prefetched(message: Message, **related: Sequence[Any]) -> None:
    """Give `message` the rows of its reverse relations as a prefetch would (``receipts``,
    ``attachments``): the serializer's ``message.receipts.all()`` then reads no query."""
    cache = {}
    for name, rows in related.items():
        queryset = getattr(message, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset
    # Django's own prefetch cache (what prefetch_related fills); its stubs do not declare it.
    message._prefetched_objects_cache = cache  # type: ignore[attr-defined]


class InboxPagination(StrictLimitOffsetPagination):
    """The inbox's pages: ``limit`` (default 100, at most core.pagination.MAX_LIMIT like every
    list; beyond is a 400 naming it) messages from ``offset``."""


class MessageListView(APIView):
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    # The schema takes the page's shape and the limit/offset parameters from it.
    pagination_class = InboxPagination

    @extend_schema(
        tags=TAGS,
        operation_id="hotline_inbox",
        summary="Inbox, sorted by urgency",
        parameters=[
            OpenApiParameter("box", OpenApiTypes.STR, enum=["all", "in", "out"]),
            OpenApiParameter("channel", OpenApiTypes.INT, description="Only this channel."),
        ],
        responses={200: InboxItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        box = request.query_params.get("box", "all")
        if box not in ("all", "in", "out"):
            raise serializers.ValidationError({"box": "Use all, in or out."})
        channel = None
        if request.query_params.get("channel"):
            channel = selectors.access_channel(request.user, request.query_params["channel"])
        # Paginated in the database over everything the caller may see, in the inbox's order
        # (a page is a slice of one total order: complete and stable).
        messages = selectors.inbox_queryset(request.user, box=box, channel=channel)
        paginator = InboxPagination()
        page: list[Message] = paginator.paginate_queryset(messages, request, view=self) or []
        # The serializer lists each message's attachments: fetch the page's in one query.
        prefetch_related_objects(page, "attachments")
        items = selectors.inbox_items(request.user, page)
        data = InboxItemSerializer(items, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=TAGS,
        operation_id="hotline_send",
        summary="Send a message from your state",
        parameters=[IDEMPOTENCY_KEY],
        request=SendSerializer,
        responses={
            201: OpenApiResponse(MessageSerializer, description="Sent."),
            200: OpenApiResponse(MessageSerializer, description="A retry: the message sent first."),
            409: OpenApiResponse(ErrorSerializer, description="Key reused differently."),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(SendSerializer, request)
        channel = selectors.access_channel(request.user, data.pop("channel"))
        codes = data.pop("recipient_states", None)
        result = services.message_send(
            actor=request.user,
            channel=channel,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            recipient_states=None if codes is None else _states_named(codes),
            **data,
        )
        return _message_response(request, result)


def _states_named(codes: list[str]) -> list[State]:
    """The states of the ISO alpha-3 codes a send names, or a 400 naming the unknown ones."""
    wanted = {code.upper() for code in codes}
    states = list(State.objects.filter(iso3__in=wanted))
    unknown = sorted(wanted - {s.iso3 for s in states})
    if unknown:
        raise services.HotlineError(
            _("Unknown state code(s): %s.") % ", ".join(unknown),
            code="invalid",
            details=[{"field": "recipient_states", "message": ", ".join(unknown)}],
        )
    return states


class MessageDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_read",
        summary="Read a message (content withheld where you may not read it)",
        responses={200: MessageSerializer, **ERRORS},
    )
    def get(self, request: Request, message_id: int) -> Response:
        access = selectors.access_message(request.user, message_id)
        return Response(MessageSerializer(access.message, context={"request": request}).data)


class MessageAcknowledgeView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_acknowledge",
        summary="Acknowledge receipt for your state",
        request=None,
        responses={200: ReceiptSerializer, **ERRORS},
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = selectors.visible_message(request.user, message_id)
        receipt = services.message_acknowledge(actor=request.user, message=message)
        return Response(ReceiptSerializer(receipt).data)


class MessageReplyView(APIView):
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        operation_id="hotline_reply",
        summary="Reply to a message sent to your state",
        parameters=[IDEMPOTENCY_KEY],
        request=ReplySerializer,
        responses={
            201: OpenApiResponse(MessageSerializer, description="Sent."),
            200: OpenApiResponse(MessageSerializer, description="A retry: the reply sent first."),
            409: OpenApiResponse(ErrorSerializer, description="Key reused differently."),
            **ERRORS,
        },
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = selectors.visible_message(request.user, message_id)
        data = validated(ReplySerializer, request)
        result = services.message_reply(
            actor=request.user,
            message=message,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            **data,
        )
        return _message_response(request, result)


class HeadSerializer(serializers.Serializer):
    """The platform's signed statement of where a channel's record ends (docs/hotline.md)."""

    head = serializers.DictField(help_text="format, channel, seq, hash, signed_at.")
    head_signature = serializers.CharField(help_text="Ed25519, base64, over SHA-256 of the head.")


class ChannelHeadView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_channel_head",
        summary="The signed head of a channel's record, to keep",
        description=(
            "A party's system fetches it after each delivery and keeps it: "
            "`cbmhub hotline verify --head FILE` then proves that the record was not cut back "
            "or rewritten since."
        ),
        responses={200: HeadSerializer, **ERRORS},
    )
    def get(self, request: Request, channel_id: int) -> Response:
        channel = selectors.access_channel(request.user, channel_id)
        return Response(selectors.channel_current_head(channel))


class ChannelListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_channels",
        summary="Channels you may see",
        responses={200: ChannelSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        channels = selectors.channel_list(request.user)
        return Response(ChannelSerializer(channels, many=True).data)


class CheckListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_checks",
        summary="Communication checks you may see",
        responses={200: CheckSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        # Every check's targets in one query: the serializer reads them for the targets and figures.
        checks = selectors.check_list_with_targets(request.user)
        return Response(CheckSerializer(checks, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        operation_id="hotline_check_start",
        summary="Start a communication check (secretariat)",
        request=CheckStartSerializer,
        responses={201: CheckSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(CheckStartSerializer, request)
        check = services.check_start(
            actor=request.user,
            organisation=data["organisation"],
            states=data.get("states") or None,
            levels=data.get("levels") or None,
            deadline=timedelta(minutes=data["deadline_minutes"]),
            note=data["note"],
        )
        body = CheckSerializer(check, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CheckDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_check_read",
        summary="A communication check and its results",
        responses={200: CheckSerializer, **ERRORS},
    )
    def get(self, request: Request, check_id: int) -> Response:
        check = selectors.access_check(request.user, check_id)
        return Response(CheckSerializer(check, context={"request": request}).data)


class CheckAnswerView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="hotline_check_answer",
        summary="Answer a communication check as one of its points of contact",
        request=None,
        responses={200: CheckTargetSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        check = selectors.access_check(request.user, check_id)
        targets = services.check_answer(actor=request.user, communication_check=check)
        return Response(CheckTargetSerializer(targets, many=True).data)


class CheckConfirmView(APIView):
    """The e-mailed token works without an account, for a CERT's own tooling."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="hotline_check_confirm",
        summary="Answer a communication check with the e-mailed token (no login)",
        request=CheckConfirmSerializer,
        responses={200: CheckTargetSerializer(many=True), **ERRORS},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validated(CheckConfirmSerializer, request)
        try:
            # The token is the authority here: a confirmation through the API is attributed to
            # no account (the link may be forwarded to whoever holds it).
            targets = services.check_answer(actor=AnonymousUser(), token=data["token"])
        except services.HotlineError as error:
            if error.code == "not_found":
                raise exceptions.NotFound(error.message) from None
            raise
        return Response(CheckTargetSerializer(targets, many=True).data)
