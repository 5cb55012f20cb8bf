"""REST API: ``/api/v1/plugins/enterprise/license/`` (instance admins only).

``GET`` shows the license in force, ``PUT`` (or ``POST``) with ``{"key": "<armored key>"}``
installs a key, ``DELETE`` removes the license. A refused key answers 400 with ``code`` and
``detail`` saying exactly why, and the license in force stays.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status as http
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import Problem
from core.plugins import step_up_required

from anneal_enterprise.licensing import seats, services, sources, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey


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
        "environment_variable": sources.environment_source(),
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
    @step_up_required
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
    @step_up_required
    def delete(self, request: Request) -> Response:
        try:
            services.remove(source=LicenseKey.Source.API, user=request.user)
        except LicenseRefused as refusal:
            raise Problem(http.HTTP_409_CONFLICT, refusal.message, refusal.code) from None
        status.refresh(force=True)
        return Response(license_summary())


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
]
