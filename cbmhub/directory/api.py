"""The directory's REST API: organisations, bodies, states, memberships and points of contact,
plus import and export of the whole directory.

Reading needs only a login (a token or a session), as in the UI. Every write calls the same
service as the UI, so the permission rules (permissions.py), the validation and the history are
the same: a focal point changes only their own state's points of contact; a secretariat officer
their organisation, its bodies and memberships, and the states; observers read only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cbmhub.core.api import ErrorSerializer, error_responses, validated
from cbmhub.core.http import content_disposition

from . import importexport, permissions, selectors, services, validators
from .choices import Level
from .models import Body, ContactChannel, Membership, Organisation, PointOfContact, State

# --- serializers ----------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "acronym",
            "name",
            "kind",
            "description",
            "website",
            "headquarters",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class BodySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="acronym",
        queryset=Organisation.objects.all(),
        help_text="Acronym of the organisation; fixed once the body exists.",
    )
    # A declared field named "parent": DRF's serializer metaclass moves it into _declared_fields,
    # so it never shadows Field.parent, which mypy cannot see.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Body.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the body this one reports to.",
    )

    class Meta:
        model = Body
        fields = ["id", "organisation", "parent", "name", "acronym", "kind", "description"]
        # The (organisation, name) rule is the model's; the service reports it by field.
        validators: list = []


class AliasListField(serializers.ListField):
    """Delegation codes: written as a list of strings, read from the state's aliases."""

    def to_representation(self, data: Any) -> list[str]:
        return [alias.code for alias in data.all()]


class StateSerializer(serializers.ModelSerializer):
    aliases = AliasListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Delegation codes used in negotiation texts (IRAN, PAL, РФ).",
    )

    class Meta:
        model = State
        fields = ["iso3", "iso2", "name", "official_name", "aliases"]


class MembershipSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="iso3", queryset=State.objects.all())
    organisation = serializers.SlugRelatedField(
        slug_field="acronym", queryset=Organisation.objects.all()
    )

    class Meta:
        model = Membership
        fields = ["id", "state", "organisation", "status", "since", "until"]
        validators: list = []


class ContactChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactChannel
        fields = ["kind", "value", "is_primary", "note"]


class PointOfContactSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=State.objects.all(),
        help_text="ISO alpha-3 code of the state; fixed once the point of contact exists.",
    )
    organisation = serializers.SlugRelatedField(
        slug_field="acronym",
        queryset=Organisation.objects.all(),
        allow_null=True,
        required=False,
        help_text="Acronym of the organisation; null: for every organisation.",
    )
    channels = ContactChannelSerializer(
        many=True,
        required=False,
        help_text="All the ways to reach this point of contact; on update, the full new list.",
    )
    # Normalised before they are validated ('en, RU' is 'en,ru'), as the form does.
    languages = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="ISO 639 codes, comma-separated (en,ru).",
    )
    pgp_fingerprint = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="OpenPGP fingerprint, 40 or 64 hexadecimal characters.",
    )

    class Meta:
        model = PointOfContact
        # The fields the services write (one list: services.POC_FIELDS), and read-only extras.
        fields = ["id", *services.POC_FIELDS, "channels", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_languages(self, value: str) -> str:
        value = validators.normalise_languages(value)
        validators.validate_languages(value)
        return value

    def validate_pgp_fingerprint(self, value: str) -> str:
        value = validators.normalise_fingerprint(value)
        validators.validate_fingerprint(value)
        return value


# --- helpers --------------------------------------------------------------------------------------


def _fixed(data: dict[str, Any], name: str, current: Any) -> None:
    """Refuse, rather than silently ignore, a change of a field that cannot change."""
    if name in data and data.pop(name) != current:
        raise exceptions.ValidationError({name: [_("This cannot be changed once set.")]})


WRITE_ERRORS = error_responses(400, 403)
READ_ERRORS = error_responses(404)


# --- organisations --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(
        summary="One organisation", responses={200: OrganisationSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add an organisation (operators)",
        responses={201: OrganisationSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Change an organisation (its secretariat)",
        responses={200: OrganisationSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an organisation",
        responses={200: OrganisationSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganisationSerializer
    lookup_field = "acronym"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.organisation_list()

    def get_object(self) -> Organisation:
        organisation = selectors.organisation_detail(acronym=self.kwargs["acronym"])
        if organisation is None:
            raise exceptions.NotFound(_("No organisation has this acronym."))
        return organisation

    def create(self, request: Request) -> Response:
        data = validated(OrganisationSerializer, request)
        organisation = services.organisation_create(actor=request.user, **data)
        return Response(OrganisationSerializer(organisation).data, status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        organisation = self.get_object()
        permissions.require(permissions.can_manage_organisation(request.user, organisation.pk))
        data = validated(OrganisationSerializer, request, organisation, partial=partial)
        organisation = services.organisation_update(
            actor=request.user, organisation=organisation, **data
        )
        return Response(OrganisationSerializer(organisation).data)


# --- bodies ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List bodies",
        parameters=[OpenApiParameter("organisation", str, description="Acronym.")],
    ),
    retrieve=extend_schema(summary="One body", responses={200: BodySerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Add a body (the organisation's secretariat)",
        responses={201: BodySerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Change a body", responses={200: BodySerializer, **WRITE_ERRORS, **READ_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change some fields of a body",
        responses={200: BodySerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a body", responses={204: None, **WRITE_ERRORS, **READ_ERRORS}
    ),
)
class BodyViewSet(viewsets.ModelViewSet):
    serializer_class = BodySerializer

    def get_queryset(self):
        acronym = self.request.query_params.get("organisation", "")
        organisation = _organisation_filter(acronym) if acronym else None
        return selectors.body_list(organisation=organisation).order_by(
            "organisation__acronym", "name", "id"
        )

    def create(self, request: Request) -> Response:
        data = validated(BodySerializer, request)
        body = services.body_create(actor=request.user, **data)
        return Response(BodySerializer(body).data, status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        body = self.get_object()
        permissions.require(permissions.can_manage_organisation(request.user, body.organisation_id))
        data = validated(BodySerializer, request, body, partial=partial)
        _fixed(data, "organisation", body.organisation)
        body = services.body_update(actor=request.user, body=body, **data)
        return Response(BodySerializer(body).data)

    def destroy(self, request: Request, pk: str) -> Response:
        services.body_delete(actor=request.user, body=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- states ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List states",
        parameters=[
            OpenApiParameter("q", str, description="Name, ISO code or delegation code."),
            OpenApiParameter("organisation", str, description="Members of (acronym)."),
        ],
    ),
    retrieve=extend_schema(summary="One state", responses={200: StateSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Add a state (secretariat)", responses={201: StateSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Change a state and its delegation codes",
        responses={200: StateSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a state",
        responses={200: StateSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class StateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StateSerializer
    lookup_field = "iso3"
    lookup_value_regex = r"[A-Za-z]{3}"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        acronym = params.get("organisation", "")
        return selectors.state_list(
            query=params.get("q", "").strip(),
            organisation=_organisation_filter(acronym) if acronym else None,
        ).prefetch_related("aliases")

    def get_object(self) -> State:
        state = selectors.state_detail(iso3=self.kwargs["iso3"])
        if state is None:
            raise exceptions.NotFound(_("No state has this ISO alpha-3 code."))
        return state

    def create(self, request: Request) -> Response:
        data = validated(StateSerializer, request)
        state = services.state_create(actor=request.user, **data)
        return Response(StateSerializer(state).data, status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        state = self.get_object()
        permissions.require(permissions.can_manage_states(request.user))
        data = validated(StateSerializer, request, state, partial=partial)
        state = services.state_update(actor=request.user, state=state, **data)
        return Response(StateSerializer(self.get_object()).data)


# --- memberships ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List memberships",
        parameters=[
            OpenApiParameter("organisation", str, description="Acronym."),
            OpenApiParameter("state", str, description="ISO or delegation code."),
        ],
    ),
    retrieve=extend_schema(
        summary="One membership", responses={200: MembershipSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a membership (the organisation's secretariat)",
        responses={201: MembershipSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Change a membership",
        responses={200: MembershipSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a membership",
        responses={200: MembershipSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a membership", responses={204: None, **WRITE_ERRORS, **READ_ERRORS}
    ),
)
class MembershipViewSet(viewsets.ModelViewSet):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        params = self.request.query_params
        acronym, code = params.get("organisation", ""), params.get("state", "")
        return selectors.membership_list(
            organisation=_organisation_filter(acronym) if acronym else None,
            state=_state_filter(code) if code else None,
        ).order_by("organisation__acronym", "state__name", "id")

    def create(self, request: Request) -> Response:
        data = validated(MembershipSerializer, request)
        membership = services.membership_create(actor=request.user, **data)
        return Response(MembershipSerializer(membership).data, status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        membership = self.get_object()
        permissions.require(
            permissions.can_manage_organisation(request.user, membership.organisation_id)
        )
        data = validated(MembershipSerializer, request, membership, partial=partial)
        _fixed(data, "organisation", membership.organisation)
        _fixed(data, "state", membership.state)
        membership = services.membership_update(actor=request.user, membership=membership, **data)
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request: Request, pk: str) -> Response:
        services.membership_delete(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- points of contact ----------------------------------------------------------------------------


def _organisation_filter(acronym: str) -> Organisation:
    organisation = selectors.organisation_detail(acronym=acronym.strip())
    if organisation is None:
        raise exceptions.ValidationError(
            {"organisation": [_("No organisation has the acronym “%s”.") % acronym]}
        )
    return organisation


def _state_filter(code: str) -> State:
    state = selectors.state_for_code(code)
    if state is None:
        raise exceptions.ValidationError({"state": [_("No state has the code “%s”.") % code]})
    return state


@extend_schema_view(
    list=extend_schema(
        summary="Search points of contact",
        parameters=[
            OpenApiParameter("q", str, description="State, delegation code, office, person."),
            OpenApiParameter("state", str, description="ISO or delegation code (KAZ, IRAN)."),
            OpenApiParameter(
                "organisation",
                str,
                description="Acronym: the organisation's own "
                "and those its member states designated for every organisation.",
            ),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("language", str, description="ISO 639 code (ru)."),
            OpenApiParameter("include_inactive", bool, description="Also inactive ones."),
        ],
        responses={
            200: PointOfContactSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Unknown filter value."),
        },
    ),
    retrieve=extend_schema(
        summary="One point of contact", responses={200: PointOfContactSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a point of contact (a focal point of its state)",
        responses={201: PointOfContactSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Change a point of contact (a focal point of its state)",
        responses={200: PointOfContactSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a point of contact",
        responses={200: PointOfContactSerializer, **WRITE_ERRORS, **READ_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a point of contact (a focal point of its state)",
        responses={204: None, **WRITE_ERRORS, **READ_ERRORS},
    ),
)
class PointOfContactViewSet(viewsets.ModelViewSet):
    serializer_class = PointOfContactSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.point_of_contact_list(include_inactive=True)
        params = self.request.query_params
        level = params.get("level", "").strip()
        if level and level not in Level.values:
            raise exceptions.ValidationError(
                {"level": [_("Use one of: %s.") % ", ".join(Level.values)]}
            )
        state, acronym = params.get("state", "").strip(), params.get("organisation", "")
        return selectors.point_of_contact_list(
            query=params.get("q", "").strip(),
            state=_state_filter(state) if state else None,
            organisation=_organisation_filter(acronym) if acronym.strip() else None,
            level=level,
            language=params.get("language", "").strip(),
            include_inactive=params.get("include_inactive", "").lower() in {"1", "true", "yes"},
        )

    def _fresh(self, poc: PointOfContact) -> dict[str, Any]:
        return PointOfContactSerializer(
            selectors.point_of_contact_list(include_inactive=True).get(pk=poc.pk)
        ).data

    def create(self, request: Request) -> Response:
        data = validated(PointOfContactSerializer, request)
        poc = services.point_of_contact_create(
            actor=request.user,
            state=data.pop("state"),
            channels=[dict(c) for c in data.pop("channels", [])],
            **data,
        )
        return Response(self._fresh(poc), status=201)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        poc = self.get_object()
        # Refuse before validating, so a refused user's answer does not depend on the payload.
        permissions.require(
            permissions.can_manage_points_of_contact(request.user, poc.state_id),
            _("Only a focal point of this state may change its points of contact."),
        )
        data = validated(PointOfContactSerializer, request, poc, partial=partial)
        _fixed(data, "state", poc.state)
        channels = data.pop("channels", None)
        poc = services.point_of_contact_update(
            actor=request.user,
            point_of_contact=poc,
            channels=None if channels is None else [dict(c) for c in channels],
            **data,
        )
        return Response(self._fresh(poc))

    def destroy(self, request: Request, pk: str) -> Response:
        services.point_of_contact_delete(actor=request.user, point_of_contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- import and export ----------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file (one kind) or a JSON document.")
    format = serializers.ChoiceField(
        choices=importexport.FORMATS,
        required=False,
        help_text="csv or json; by default from the file name's extension.",
    )
    kind = serializers.ChoiceField(
        choices=importexport.KINDS,
        required=False,
        help_text="CSV only: what the rows are (default points_of_contact).",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check everything, report, and apply nothing."
    )


class ImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    summary = serializers.DictField(child=ImportCountsSerializer(), help_text="Per kind.")


class ImportView(APIView):
    """Import the directory from CSV or JSON. Everything is checked first; each problem is
    reported with its row, field and message, and on any problem nothing is applied."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import the directory (focal points, secretariat, operators)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="The file's problems, each with "
                "row, field and message; nothing was applied.",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Not allowed for this user."),
        },
    )
    def post(self, request: Request) -> Response:
        permissions.require(
            permissions.can_import(request.user),
            permissions.IMPORT_REFUSED,
        )
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        fmt = serializer.validated_data.get("format") or (
            "json" if upload.name.lower().endswith(".json") else "csv"
        )
        if upload.size > importexport.IMPORT_MAX_BYTES:
            # Refused before a byte is read: the size is what the upload already measured.
            raise services.DirectoryError(
                _("“%(name)s” is %(size)d bytes; the limit is %(limit)d.")
                % {
                    "name": upload.name,
                    "size": upload.size,
                    "limit": importexport.IMPORT_MAX_BYTES,
                },
                code="import_too_large",
                details=[{"row": None, "field": "file", "message": "too large"}],
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise services.DirectoryError(
                str(_("The file is not UTF-8 text.")),
                code="import_invalid",
                details=[{"row": None, "field": "file", "message": str(exc)}],
            ) from None
        result = importexport.import_directory(
            actor=request.user,
            text=text,
            fmt=fmt,
            kind=serializer.validated_data.get("kind"),
            dry_run=serializer.validated_data["dry_run"],
        )
        if result.problems:
            raise services.DirectoryError(
                _("The import has %d problem(s); nothing was applied.") % len(result.problems),
                code="import_invalid",
                details=[problem.as_dict() for problem in result.problems],
            )
        return Response(
            ImportResultSerializer(
                {"applied": result.applied, "dry_run": result.dry_run, "summary": result.summary}
            ).data
        )


class _FileNegotiation(BaseContentNegotiation):
    """The export chooses its format with ``?format=``, which is also DRF's renderer override;
    the file is returned as is, so only errors are rendered (as JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class ExportView(APIView):
    """Export the directory: JSON (everything, or one kind), CSV (one kind), or, for CSV of
    everything, a ZIP of one CSV file per kind."""

    content_negotiation_class = _FileNegotiation

    @extend_schema(
        summary="Export the directory",
        parameters=[
            OpenApiParameter(
                "format", str, enum=list(importexport.FORMATS), description="json (default) or csv."
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=["all", *importexport.KINDS],
                description="What to export (JSON: default all; CSV: default points_of_contact; "
                "CSV of all is a ZIP with one CSV file per kind).",
            ),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/zip"): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer, description="Unknown format or kind."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("format", "json")
        kind = request.query_params.get("kind", "all" if fmt == "json" else "points_of_contact")
        if fmt not in importexport.FORMATS:
            raise exceptions.ValidationError(
                {"format": [_("Use one of: %s.") % ", ".join(importexport.FORMATS)]}
            )
        if kind not in ("all", *importexport.KINDS):
            raise exceptions.ValidationError(
                {"kind": [_("Use one of: %s.") % ", ".join(("all", *importexport.KINDS))]}
            )
        if fmt == "csv" and kind == "all":
            content: str | bytes = importexport.export_csv_archive()
            content_type, extension = "application/zip", "zip"
        else:
            content = importexport.export(fmt=fmt, kind=kind)
            media_type = "text/csv" if fmt == "csv" else "application/json"
            content_type, extension = f"{media_type}; charset=utf-8", fmt
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition(
            f"cbmhub-directory-{kind.replace('_', '-')}.{extension}"
        )
        return response
