"""The API's view of the signed-in account: who am I, for which state or organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .http import signed_in_user


class _StateRefSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()


class _OrganisationRefSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    role_label = serializers.CharField(read_only=True)
    state = _StateRefSerializer(read_only=True, allow_null=True)
    organisation = _OrganisationRefSerializer(read_only=True, allow_null=True)
    time_zone = serializers.CharField(allow_blank=True, max_length=64)
    is_superuser = serializers.BooleanField(read_only=True)


@extend_schema(methods=["GET"], responses=MeSerializer, summary="The current user's role and scope")
@extend_schema(
    methods=["PATCH"],
    request=MeSerializer,
    responses=MeSerializer,
    summary="Change the current user's time zone",
)
@api_view(["GET", "PATCH"])
def me(request: Request) -> Response:
    user = signed_in_user(request)
    if request.method == "PATCH":
        incoming = MeSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        if "time_zone" in incoming.validated_data:
            services.user_set_time_zone(user=user, time_zone=incoming.validated_data["time_zone"])
    return Response(MeSerializer(selectors.user_for_profile(user)).data)
