"""REST API for what the audit page configures: streaming destinations and retention.

Mounted under ``/api/v1/plugins/enterprise/audit/organizations/<slug>/``, for the organization's
admins and owners. Validation is the web form's (``streaming.destinations``, ``retention``): the
API passes the request's fields to the same services, so a rule holds in both.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anneal_enterprise.audit import access, retention
from anneal_enterprise.audit.api import readable_organization
from anneal_enterprise.audit.models import AuditDestination, AuditPolicy
from anneal_enterprise.audit.streaming import destinations
from core.api.errors import Problem


class DestinationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="`webhook` or `syslog`.")

    class Meta:
        model = AuditDestination
        fields = ["id", "name", "kind", "url", "host", "port", "tls", "event_types", "enabled", "delivered_count",
                  "failing_since", "last_error", "created_at"]


class NewDestinationSerializer(serializers.Serializer):
    """Documents the request; the fields go to the same service as the web form's."""

    name = serializers.CharField()
    kind = serializers.CharField(help_text="`webhook` or `syslog`.")
    url = serializers.CharField(required=False, help_text="webhook: the https:// URL.")
    host = serializers.CharField(required=False, help_text="syslog: the receiver's host.")
    port = serializers.IntegerField(required=False, help_text="syslog: the TCP port.")
    tls = serializers.BooleanField(required=False, help_text="syslog: TLS to the receiver.")
    event_types = serializers.ListField(child=serializers.CharField(), required=False,
                                        help_text="Event types to stream; empty for every type.")


class CreatedDestinationSerializer(DestinationSerializer):
    secret = serializers.CharField(help_text="webhook: the signing secret, shown only this once.")

    class Meta(DestinationSerializer.Meta):
        fields = DestinationSerializer.Meta.fields + ["secret"]


class RetentionSerializer(serializers.Serializer):
    retention_days = serializers.IntegerField(allow_null=True, min_value=1, max_value=36500,
                                              help_text="Days records are kept; null keeps them forever.")


def configurable_organization(request: Request, slug: str) -> Any:
    organization = readable_organization(request, slug)
    if not access.can_configure(organization):
        raise PermissionDenied(access.READ_ONLY)
    return organization


class DestinationList(APIView):
    """Where the organization's audit records are streamed (HTTPS webhooks, syslog)."""

    @extend_schema(responses=DestinationSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        organization = readable_organization(request, slug)
        rows = AuditDestination.objects.filter(organization_id=organization.pk).order_by("pk")
        return Response(DestinationSerializer(rows, many=True).data)

    @extend_schema(request=NewDestinationSerializer, responses={201: CreatedDestinationSerializer})
    def post(self, request: Request, slug: str) -> Response:
        organization = configurable_organization(request, slug)
        NewDestinationSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            destination, secret = destinations.create(organization, request.data)
        except destinations.DestinationInvalid as exc:
            raise Problem(status.HTTP_400_BAD_REQUEST, str(exc), "invalid") from None
        return Response({**DestinationSerializer(destination).data, "secret": secret}, status=status.HTTP_201_CREATED)


class DestinationDetail(APIView):
    @extend_schema(responses=DestinationSerializer)
    def get(self, request: Request, slug: str, destination_id: int) -> Response:
        organization = readable_organization(request, slug)
        destination = get_object_or_404(AuditDestination, organization_id=organization.pk, pk=destination_id)
        return Response(DestinationSerializer(destination).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, destination_id: int) -> Response:
        organization = configurable_organization(request, slug)
        destinations.delete(get_object_or_404(AuditDestination, organization_id=organization.pk, pk=destination_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class Retention(APIView):
    """How long the organization's audit records are kept."""

    @extend_schema(responses=RetentionSerializer)
    def get(self, request: Request, slug: str) -> Response:
        organization = readable_organization(request, slug)
        policy = AuditPolicy.objects.filter(organization_id=organization.pk).first()
        return Response({"retention_days": policy.retention_days if policy else None})

    @extend_schema(request=RetentionSerializer, responses=RetentionSerializer)
    def put(self, request: Request, slug: str) -> Response:
        organization = configurable_organization(request, slug)
        serializer = RetentionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        days = serializer.validated_data["retention_days"]
        try:
            policy = retention.set_retention(organization, "" if days is None else str(days))
        except retention.RetentionInvalid as exc:
            raise Problem(status.HTTP_400_BAD_REQUEST, str(exc), "invalid") from None
        return Response({"retention_days": policy.retention_days})


urlpatterns = [
    path("audit/organizations/<slug:slug>/destinations", DestinationList.as_view(), name="audit-destinations"),
    path("audit/organizations/<slug:slug>/destinations/<int:destination_id>", DestinationDetail.as_view(),
         name="audit-destination"),
    path("audit/organizations/<slug:slug>/retention", Retention.as_view(), name="audit-retention"),
]
