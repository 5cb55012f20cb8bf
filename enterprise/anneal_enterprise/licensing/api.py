"""REST API: ``/api/v1/plugins/enterprise/license/`` (instance admins only).

``GET`` shows the license in force, ``PUT`` (or ``POST``) with ``{"key": "<armored key>"}``
installs a key, ``DELETE`` removes the license. A refused key answers 400 with ``code`` and
``detail`` saying exactly why, and the license in force stays.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status as http
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import Problem

from anneal_enterprise.licensing import environment, preview, seats, services, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey
from anneal_enterprise.licensing.usage import downloads
from anneal_enterprise.licensing.usage.reports import ReportRefused, ReportRequest


def license_summary() -> dict[str, Any]:
    """The license in force as the API, the page and support bundles show it (never the key text)."""
    snapshot = status.current()
    usage = seats.usage(snapshot)
    summary: dict[str, Any] = {
        "stage": snapshot.stage(),
        "license": snapshot.claims.as_json() if snapshot.claims else None,
        "key_id": snapshot.key_id or None,
        "key_kind": snapshot.key_kind or None,
        "source": snapshot.source or None,
        "source_label": LicenseKey.Source(snapshot.source).label if snapshot.source else None,
        "source_detail": snapshot.source_detail or None,
        "installed_at": snapshot.installed_at.isoformat() if snapshot.installed_at else None,
        "error": snapshot.error or None,
        "environment_variable": environment.environment_source(),
        "seats": {"in_use": usage.in_use, "licensed": usage.seats or None, "limit": usage.limit or None},
        "features": {name: ("enabled" if status.grants(name) else "read_only" if status.was_licensed(name)
                            else "unavailable") for name in ("sso", "audit_log", "support")},
    }
    return summary


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(trim_whitespace=False, help_text="The armored license key, BEGIN and END lines included.")


SUMMARY = inline_serializer("LicenseSummary", {"stage": serializers.CharField(), "license": serializers.DictField(allow_null=True)})


class LicenseView(APIView):
    permission_classes = [IsAdminUser]
    error_statuses = (409,)  # removing a license that the environment installed

    @extend_schema(responses={200: SUMMARY})
    def get(self, request: Request) -> Response:
        return Response(license_summary())

    @extend_schema(request=KeySerializer, responses={200: SUMMARY})
    def put(self, request: Request) -> Response:
        serializer = KeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.install(serializer.validated_data["key"], source=LicenseKey.Source.API, user=request.user)
        except LicenseRefused as refusal:
            raise Problem(http.HTTP_400_BAD_REQUEST, refusal.message, refusal.code) from None
        status.refresh(force=True)
        return Response(license_summary())

    @extend_schema(request=KeySerializer, responses={200: SUMMARY})
    def post(self, request: Request) -> Response:
        return self.put(request)

    @extend_schema(responses={200: SUMMARY})
    def delete(self, request: Request) -> Response:
        try:
            services.remove(source=LicenseKey.Source.API, user=request.user)
        except LicenseRefused as refusal:
            raise Problem(http.HTTP_409_CONFLICT, refusal.message, refusal.code) from None
        status.refresh(force=True)
        return Response(license_summary())


PREVIEW = inline_serializer("LicensePreview", {
    "installable": serializers.BooleanField(), "refusal": serializers.DictField(allow_null=True),
    "license": serializers.DictField(required=False), "features": serializers.ListField(required=False),
    "quotas_exceeded": serializers.ListField(required=False),
})


class PreviewView(APIView):
    """``POST {"key": ...}``: what installing the key would change; nothing is installed.

    Always 200 for a key that could be read as text: a key that would be refused says so in
    ``installable`` (false) and ``refusal`` (``code`` and ``detail``).
    """

    permission_classes = [IsAdminUser]

    @extend_schema(request=KeySerializer, responses={200: PREVIEW})
    def post(self, request: Request) -> Response:
        serializer = KeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(preview.preview(serializer.validated_data["key"]).as_json())


class ReportRequestSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    include_names = serializers.BooleanField(default=False, help_text="Include seat holders' names and emails.")
    product = serializers.CharField(default="anneal", help_text="Whose license the report is bound to.")


class UsageReportView(APIView):
    """``POST``: the signed usage report for a period (the same file the License page downloads).

    A download is recorded in the audit log. 400 when no license is in force or no snapshot
    covers the period.
    """

    permission_classes = [IsAdminUser]

    @extend_schema(request=ReportRequestSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            _, content = downloads.download(ReportRequest(data["first_day"], data["last_day"], data["include_names"],
                                                          data["product"]), source="api")
        except ReportRefused as refusal:
            raise Problem(http.HTTP_400_BAD_REQUEST, refusal.message, "usage_report_refused") from None
        return Response(json.loads(content))


class FeaturesView(APIView):
    """The state of each enterprise feature in this process (used to check propagation)."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        from anneal_enterprise import entitlements

        return Response({name: entitlements.state(name) for name in ("sso", "audit_log", "support")})


urlpatterns = [
    path("license/", LicenseView.as_view(), name="license"),
    path("license/features/", FeaturesView.as_view(), name="license-features"),
    path("license/preview/", PreviewView.as_view(), name="license-preview"),
    path("license/usage-report/", UsageReportView.as_view(), name="license-usage-report"),
]
