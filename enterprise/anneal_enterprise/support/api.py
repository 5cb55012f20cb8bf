"""REST API for support bundles and support access grants.

Mounted under ``/api/v1/plugins/enterprise/``. Bundles are for staff; grants for an
organization's owners (admins may list them).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anneal_enterprise import entitlements
from anneal_enterprise.support import access, bundles, collectors
from anneal_enterprise.support.models import SupportBundle, SupportGrant
from core import access as core_access
from core.api.errors import Problem
from core.links import absolute_reverse
from core.roles import Permission


class CollectorSerializer(serializers.Serializer):
    id = serializers.CharField()
    plugin = serializers.CharField()
    description = serializers.CharField()
    default = serializers.BooleanField()


class BundleSerializer(serializers.ModelSerializer):
    encrypted = serializers.BooleanField(read_only=True)
    filename = serializers.CharField(read_only=True)

    class Meta:
        model = SupportBundle
        fields = ["id", "status", "progress", "step", "error", "collectors", "recipients", "encrypted", "filename",
                  "warnings", "created_at", "expires_at", "download_count"]


class NewBundleSerializer(serializers.Serializer):
    collectors = serializers.ListField(child=serializers.CharField(), required=False,
                                       help_text="Collector ids; the default ones when left out.")
    recipients = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                       help_text="age public keys to encrypt the bundle to.")


class GrantSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    engineer = serializers.CharField(source="principal_name", read_only=True)

    class Meta:
        model = SupportGrant
        fields = ["id", "reason", "ticket", "scope", "status", "engineer", "created_at", "expires_at",
                  "redeemed_at", "last_used_at", "revoked_at", "extended_count"]


class NewGrantSerializer(serializers.Serializer):
    reason = serializers.CharField()
    ticket = serializers.CharField(required=False, default="", allow_blank=True)
    scope = serializers.ChoiceField(choices=SupportGrant.Scope.values, default="read_only")
    hours = serializers.FloatField(required=False)


class HoursSerializer(serializers.Serializer):
    hours = serializers.FloatField(required=False)


def _require_state(*allowed: str, organization: Any = None) -> None:
    if entitlements.state(entitlements.SUPPORT, organization) not in allowed:
        raise PermissionDenied("This needs an enterprise license with the support feature.")


class CollectorList(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=CollectorSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CollectorSerializer(collectors.registry().values(), many=True).data)


class BundleList(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=BundleSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require_state("enabled", "read_only")
        return Response(BundleSerializer(SupportBundle.objects.defer("archive", "files"), many=True).data)

    @extend_schema(request=NewBundleSerializer, responses={202: BundleSerializer})
    def post(self, request: Request) -> Response:
        _require_state("enabled")
        serializer = NewBundleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bundle = bundles.create_bundle(request.user, serializer.validated_data.get("collectors"),
                                       serializer.validated_data["recipients"])
        return Response(BundleSerializer(bundle).data, status=status.HTTP_202_ACCEPTED)


def _bundle(bundle_id: Any) -> SupportBundle:
    _require_state("enabled", "read_only")
    return get_object_or_404(SupportBundle, pk=bundle_id)


class BundleDetail(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=BundleSerializer)
    def get(self, request: Request, bundle_id: Any) -> Response:
        return Response(BundleSerializer(_bundle(bundle_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, bundle_id: Any) -> Response:
        bundles.delete_bundle(_bundle(bundle_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BundlePreview(APIView):
    permission_classes = [IsAdminUser]
    error_statuses = (409,)  # the bundle is not ready

    @extend_schema(responses={200: dict})
    def get(self, request: Request, bundle_id: Any) -> Response:
        bundle = _bundle(bundle_id)
        if bundle.status != SupportBundle.Status.READY:
            raise Problem(409, "The bundle is not ready yet; poll its status.", "not_ready")
        return Response({"files": bundle.files, "warnings": bundle.warnings})


class BundleDownload(APIView):
    permission_classes = [IsAdminUser]
    error_statuses = (409,)  # the bundle is not ready

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, bundle_id: Any) -> HttpResponse:
        bundle = _bundle(bundle_id)
        if bundle.status != SupportBundle.Status.READY:
            raise Problem(409, "The bundle is not ready yet; poll its status.", "not_ready")
        response = HttpResponse(bundles.record_download(bundle), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
        return response


def _organization(request: Request, slug: str, permission: Permission) -> Any:
    try:
        organization, _ = core_access.get_organization(request.user, slug, permission)
    except core_access.NotVisible:
        raise NotFound("Not found.") from None
    except core_access.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    return organization


class GrantList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=GrantSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        organization = _organization(request, slug, Permission.MANAGE)
        return Response(GrantSerializer(SupportGrant.objects.filter(organization=organization), many=True).data)

    @extend_schema(request=NewGrantSerializer, responses={201: dict})
    def post(self, request: Request, slug: str) -> Response:
        organization = _organization(request, slug, Permission.OWN)
        serializer = NewGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grant, token = access.create_grant(organization, request.user, data["reason"], data["scope"],
                                           data.get("hours"), data["ticket"])
        link = absolute_reverse("enterprise:support-redeem", token)
        return Response({**GrantSerializer(grant).data, "link": link}, status=status.HTTP_201_CREATED)


class GrantAction(APIView):
    permission_classes = [IsAuthenticated]
    action = ""

    @extend_schema(request=HoursSerializer, responses=GrantSerializer)
    def post(self, request: Request, slug: str, grant_id: int) -> Response:
        organization = _organization(request, slug, Permission.OWN)
        grant = get_object_or_404(SupportGrant, organization=organization, pk=grant_id)
        if self.action == "extend":
            serializer = HoursSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            access.extend(grant, request.user, serializer.validated_data.get("hours"))
        else:
            access.revoke(grant, request.user)
        return Response(GrantSerializer(grant).data)


urlpatterns = [
    path("support/collectors/", CollectorList.as_view(), name="support-collectors"),
    path("support/bundles/", BundleList.as_view(), name="support-bundles"),
    path("support/bundles/<uuid:bundle_id>/", BundleDetail.as_view(), name="support-bundle"),
    path("support/bundles/<uuid:bundle_id>/preview/", BundlePreview.as_view(), name="support-bundle-preview"),
    path("support/bundles/<uuid:bundle_id>/download/", BundleDownload.as_view(), name="support-bundle-download"),
    path("support/organizations/<slug:slug>/grants/", GrantList.as_view(), name="support-grants"),
    path("support/organizations/<slug:slug>/grants/<int:grant_id>/extend/",
         GrantAction.as_view(action="extend"), name="support-grant-extend"),
    path("support/organizations/<slug:slug>/grants/<int:grant_id>/revoke/",
         GrantAction.as_view(action="revoke"), name="support-grant-revoke"),
]
