"""The exchange REST API, mounted at /api/v1/exchange/: arrangements (a resource the
secretariat creates and the parties read), subscriptions (a resource of the CERTs that may
write to a collection) and the incident report form (an action). TAXII 2.1 (``/taxii2/``) is
the API for the objects themselves; ``objects/`` here lists them for a person's script, through
the same selector as TAXII and the pages.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.accounts.models import User
from cbmhub.core.api import ERRORS, validated
from cbmhub.core.pagination import StrictLimitOffsetPagination
from cbmhub.directory.models import State

from . import permissions, selectors, services
from .choices import ArrangementKind, Severity, Tlp
from .models import Arrangement, Collection, StixObject, Subscription

TAGS = ["exchange"]


class CollectionSerializer(serializers.ModelSerializer):
    taxii_url = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = ["id", "title", "description", "default_tlp", "taxii_url"]

    def get_taxii_url(self, collection: Collection) -> str:
        return f"/taxii2/api/collections/{collection.pk}/"


class ArrangementParticipantSerializer(serializers.Serializer):
    state = serializers.CharField(source="state.iso3")
    can_read = serializers.BooleanField()
    can_write = serializers.BooleanField()


class ArrangementSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(
        source="organisation.acronym", allow_null=True, read_only=True
    )
    participants = ArrangementParticipantSerializer(many=True, read_only=True)
    collections = CollectionSerializer(many=True, read_only=True)

    class Meta:
        model = Arrangement
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "description",
            "is_active",
            "participants",
            "collections",
        ]
        read_only_fields = ["id", "kind"]


class ArrangementCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ArrangementKind.choices)
    states = serializers.ListField(
        child=serializers.CharField(max_length=3),
        min_length=1,
        max_length=200,
        help_text="ISO 3166 alpha-3 codes.",
    )
    description = serializers.CharField(required=False, default="", allow_blank=True)
    default_tlp = serializers.ChoiceField(choices=Tlp.choices, default=Tlp.AMBER)

    def validate_states(self, codes: list[str]) -> list[State]:
        states = {s.iso3: s for s in State.objects.filter(iso3__in=[c.upper() for c in codes])}
        missing = [c for c in codes if c.upper() not in states]
        if missing:
            raise serializers.ValidationError(
                f"No state with the ISO code: {', '.join(missing[:5])}"
            )
        return list(states.values())


class ParticipantRightsSerializer(serializers.Serializer):
    state = serializers.CharField(max_length=3, help_text="ISO 3166 alpha-3 code.")
    can_read = serializers.BooleanField(default=True)
    can_write = serializers.BooleanField(default=True)

    def validate_state(self, code: str) -> State:
        state = State.objects.filter(iso3=code.upper()).first()
        if state is None:
            raise serializers.ValidationError(f"No state with the ISO code {code}.")
        return state


class ArrangementUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    participants = ParticipantRightsSerializer(
        many=True, required=False, help_text="Add states or change their rights (read, write)."
    )
    red_recipients = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=200,
        help_text="Usernames of the people named to receive TLP:RED (replaces the list).",
    )


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="Arrangements you take part in or administer"),
    retrieve=extend_schema(
        tags=TAGS, summary="One arrangement", responses={200: ArrangementSerializer, **ERRORS}
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Create an arrangement (the secretariat, under its organisation)",
        request=ArrangementCreateSerializer,
        responses={201: ArrangementSerializer, **ERRORS},
    ),
    update=extend_schema(
        tags=TAGS,
        summary="Change an arrangement",
        request=ArrangementUpdateSerializer,
        responses={200: ArrangementSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Change some fields of an arrangement",
        request=ArrangementUpdateSerializer,
        responses={200: ArrangementSerializer, **ERRORS},
    ),
)
class ArrangementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ArrangementSerializer
    pagination_class = StrictLimitOffsetPagination
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Arrangement.objects.none()
        permissions.require_use(self.request.user)
        return selectors.visible_arrangements(self.request.user)

    def get_object(self) -> Arrangement:
        permissions.require_use(self.request.user)
        return selectors.access_arrangement(self.request.user, self.kwargs["pk"])

    def create(self, request: Request) -> Response:
        data = validated(ArrangementCreateSerializer, request)
        arrangement = services.arrangement_create(
            actor=request.user,
            organisation=selectors.organisation_of(request.user),
            **data,
        )
        return Response(
            ArrangementSerializer(selectors.access_arrangement(request.user, arrangement.pk)).data,
            status=201,
        )

    @transaction.atomic
    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        arrangement = self.get_object()
        permissions.require_administer(request.user, arrangement)
        data = validated(ArrangementUpdateSerializer, request, partial=partial)
        rights = data.pop("participants", [])
        recipients = data.pop("red_recipients", None)
        services.arrangement_update(actor=request.user, arrangement=arrangement, **data)
        for item in rights:
            services.participant_set(actor=request.user, arrangement=arrangement, **item)
        if recipients is not None:
            users = list(User.objects.filter(username__in=recipients))
            unknown = sorted(set(recipients) - {u.username for u in users})
            if unknown:
                raise services.ExchangeError(
                    _("No account with the username %(username)s.") % {"username": unknown[0]},
                    field="red_recipients",
                )
            services.red_recipients_set(actor=request.user, arrangement=arrangement, users=users)
        return Response(
            ArrangementSerializer(selectors.access_arrangement(request.user, arrangement.pk)).data
        )


class SubscriptionSerializer(serializers.ModelSerializer):
    collection = serializers.UUIDField(source="collection_id")
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = Subscription
        fields = [
            "id",
            "name",
            "collection",
            "url",
            "username",
            "password",
            "interval_seconds",
            "is_active",
            "state",
            "last_error",
            "last_run_at",
            "next_run_at",
            "objects_pulled",
            "added_after",
        ]
        read_only_fields = [
            "state",
            "last_error",
            "last_run_at",
            "next_run_at",
            "objects_pulled",
            "added_after",
        ]


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="Subscriptions into collections you may write to"),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One subscription, with its state and last error",
        responses={200: SubscriptionSerializer, **ERRORS},
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Subscribe a collection to a remote TAXII 2.1 collection",
        responses={201: SubscriptionSerializer, **ERRORS},
    ),
)
class SubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubscriptionSerializer
    pagination_class = StrictLimitOffsetPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Subscription.objects.none()
        permissions.require_use(self.request.user)
        return selectors.visible_subscriptions(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        permissions.require_use(request.user)
        data = validated(SubscriptionSerializer, request)
        collection = selectors.access_collection(request.user, data.pop("collection_id"))
        data.pop("is_active", None)
        subscription = services.subscription_create(
            actor=request.user, collection=collection, **data
        )
        return Response(SubscriptionSerializer(subscription).data, status=201)


class ObjectSerializer(serializers.ModelSerializer):
    stix = serializers.SerializerMethodField()

    class Meta:
        model = StixObject
        fields = ["id", "stix_id", "type", "version", "tlp", "date_added", "stix"]

    def get_stix(self, obj: StixObject) -> dict[str, Any]:
        return selectors.served(
            self.context["user"], obj, arrangement_id=obj.collection.arrangement_id
        )


class ObjectListView(APIView):
    pagination_class = StrictLimitOffsetPagination

    @extend_schema(
        tags=TAGS,
        summary="Shared objects you may read (latest versions; TLP and redaction applied)",
        parameters=[
            OpenApiParameter("type", str, description="A STIX type (indicator, incident …)."),
            OpenApiParameter("tlp", str, enum=list(Tlp.values)),
        ],
        responses={200: ObjectSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        permissions.require_use(request.user)
        types = [request.query_params["type"]] if request.query_params.get("type") else None
        levels = [request.query_params["tlp"]] if request.query_params.get("tlp") else None
        if levels and levels[0] not in Tlp.values:
            raise services.ExchangeError("Unknown TLP level.", field="tlp")
        objects = selectors.search_objects(request.user, types=types, levels=levels)
        paginator = StrictLimitOffsetPagination()
        page = paginator.paginate_queryset(objects, request, view=self)
        data = ObjectSerializer(page, many=True, context={"user": request.user}).data
        return paginator.get_paginated_response(data)


class IncidentSerializer(serializers.Serializer):
    collection = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    sectors = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        max_length=1000,
        help_text="Plain values: IP addresses, domains, URLs, MD5/SHA-1/SHA-256 hashes.",
    )
    tlp = serializers.ChoiceField(choices=Tlp.choices)


class IncidentResultSerializer(serializers.Serializer):
    report_id = serializers.CharField()
    objects = serializers.ListField(child=serializers.DictField())


class IncidentView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="File an incident report: stored as valid STIX 2.1 under the chosen TLP",
        request=IncidentSerializer,
        responses={201: IncidentResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        permissions.require_use(request.user)
        data = validated(IncidentSerializer, request)
        collection = selectors.access_collection(request.user, data["collection"])
        filed = services.incident_report_file(
            actor=request.user,
            collection=collection,
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            sectors=data["sectors"],
            indicators_text="\n".join(data["indicators"]),
            level=data["tlp"],
        )
        return Response({"report_id": filed.report_id, "objects": filed.objects}, status=201)
