"""REST API: ``/api/v1/plugins/enterprise/license/`` (instance admins only).

``GET`` shows the license in force, ``PUT`` (or ``POST``) with ``{"key": "<armored key>"}``
installs a key, ``DELETE`` removes the license. A refused key answers 400 with ``code`` and
``detail`` saying exactly why, and the license in force stays.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status as http
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import Problem
from core.plugins import step_up_required

from anneal_enterprise.licensing import environment, keyring, preview, quotas, seats, services, status, trial
from anneal_enterprise.licensing.claims import FEATURES
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey
from anneal_enterprise.licensing.usage import downloads
from anneal_enterprise.licensing.usage.reports import ReportRefused, ReportRequest


def _state(feature: str) -> str:
    return "enabled" if status.grants(feature) else "read_only" if status.was_licensed(feature) else "unavailable"


def _entry(entry: status.InForce) -> dict[str, Any]:
    claims = entry.claims
    issuer = keyring.issuers().get(entry.product)
    names = sorted(set(claims.features if claims else ()) | set(issuer.features if issuer else ()))
    return {
        "product": entry.product, "issuer": entry.issuer or (issuer.label if issuer else entry.product),
        "stage": entry.stage(), "license": claims.as_json() if claims else None,
        "key_id": entry.key_id or None, "key_kind": entry.key_kind or None,
        "source": entry.source or None,
        "source_label": LicenseKey.Source(entry.source).label if entry.source else None,
        "source_detail": entry.source_detail or None,
        "installed_at": entry.installed_at.isoformat() if entry.installed_at else None,
        "error": entry.error or None,
        "features": {name: _state(name) for name in names},
    }


def _edition_features() -> list[str]:
    """Anneal Enterprise's features, then the product's own (when a product built on Anneal declares some)."""
    issuer = keyring.primary_issuer()
    return [*FEATURES, *sorted(issuer.features - set(FEATURES))]


def license_summary() -> dict[str, Any]:
    """The licenses in force as the API, the page and support bundles show them (never the key text).

    The top-level fields describe the Anneal Enterprise license; ``licenses`` lists every
    installed license (Anneal Enterprise's and each plugin vendor's), Anneal Enterprise first.
    """
    snapshot = status.current()
    usage = seats.usage(snapshot)
    primary = _entry(snapshot.primary)
    others = [_entry(entry) for product, entry in sorted(snapshot.licenses.items())
              if product != snapshot.primary_product]
    summary: dict[str, Any] = {
        **{key: value for key, value in primary.items() if key not in ("product", "issuer", "features")},
        "environment_variable": environment.environment_source(),
        "seats": {"in_use": usage.in_use, "licensed": usage.seats or None, "limit": usage.limit or None},
        "quotas": [quota.as_json() for quota in quotas.usage()],
        "features": {name: _state(name) for name in _edition_features()},
        "licenses": ([primary] if snapshot.primary.record_id is not None else []) + others,
        "primary_product": snapshot.primary_product,
        "is_trial": snapshot.primary.source == LicenseKey.Source.TRIAL,
        "trial": trial.state(),
    }
    return summary


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(trim_whitespace=False, help_text="The armored license key, BEGIN and END lines included.")


SUMMARY = inline_serializer("LicenseSummary", {
    "stage": serializers.CharField(), "license": serializers.DictField(allow_null=True),
    "licenses": serializers.ListField(child=serializers.DictField(),
                                      help_text="Every installed license, one per product."),
})


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

    @extend_schema(responses={200: SUMMARY}, parameters=[OpenApiParameter(
        "product", str, description="Whose license to remove: anneal (the default) or a plugin's name.")])
    @step_up_required
    def delete(self, request: Request) -> Response:
        try:
            services.remove(source=LicenseKey.Source.API, user=request.user,
                            product=request.query_params.get("product") or None)
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


TRIAL = inline_serializer("LicenseTrial", {
    "edition": serializers.CharField(), "available": serializers.BooleanField(),
    "reason": serializers.CharField(help_text="Why no trial can start (empty when one can)."),
    "days": serializers.IntegerField(allow_null=True), "started_at": serializers.DateTimeField(allow_null=True),
    "ends_at": serializers.DateTimeField(allow_null=True),
})


class TrialView(APIView):
    """``GET``: whether the edition's offline trial can start; ``POST``: start it (once per instance).

    A refused start answers 409 with ``code`` (``trial_used``, ``trial_unavailable``, or why the
    shipped grant does not verify, such as ``tampered``) and ``detail``.
    """

    permission_classes = [IsAdminUser]
    error_statuses = (409,)

    @extend_schema(responses={200: TRIAL})
    def get(self, request: Request) -> Response:
        return Response(trial.state())

    @extend_schema(request=None, responses={201: SUMMARY})
    @step_up_required
    def post(self, request: Request) -> Response:
        try:
            trial.start(source=LicenseKey.Source.API, user=request.user)
        except LicenseRefused as refusal:
            raise Problem(http.HTTP_409_CONFLICT, refusal.message, refusal.code) from None
        status.refresh(force=True)
        return Response(license_summary(), status=http.HTTP_201_CREATED)


class ReportRequestSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    include_names = serializers.BooleanField(default=False, help_text="Include seat holders' names and emails.")
    product = serializers.CharField(default="", allow_blank=True,
                                    help_text="Whose license the report is bound to (default: the primary license).")


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
                                                          data["product"] or keyring.primary_product()), source="api")
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
    path("license/trial/", TrialView.as_view(), name="license-trial"),
    path("license/usage-report/", UsageReportView.as_view(), name="license-usage-report"),
]
