"""REST API of the audit log, mounted under ``/api/v1/plugins/enterprise/audit/``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from django.urls import path

from anneal_enterprise.audit import access, export, signing, since_export, verify
from anneal_enterprise.audit.heads import find_signed_head
from anneal_enterprise.audit.models import AuditExport
from anneal_enterprise.audit.presentation import record_json
from anneal_enterprise.audit.query import MAX_PAGE, BadQuery, filtered, page, parse_filters
from core import access as core_access
from core.input_guard import row_id
from core.links import absolute_url
from core.roles import Permission

FILTER_PARAMETERS = [
    OpenApiParameter("since", str, description="From this date or ISO 8601 time (inclusive)."),
    OpenApiParameter("until", str, description="Until this date or time (inclusive)."),
    OpenApiParameter("actor", str, description="Actor user id, or the start of the actor's display name/email."),
    OpenApiParameter("action", str, description="Event type, or a prefix such as `project.*`."),
    OpenApiParameter("target_type", str), OpenApiParameter("target_id", str),
    OpenApiParameter("cursor", str, description="The `next` cursor of the previous page."),
    OpenApiParameter("page_size", int, description=f"Records per page (1 to {MAX_PAGE}, default 50)."),
]


def readable_organization(request: Request, slug: str) -> Any:
    try:
        organization, _ = core_access.get_organization(request.user, slug, Permission.MANAGE)
    except core_access.NotVisible:
        raise NotFound("No such organization.") from None
    except core_access.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    if not access.can_read(organization):
        raise PermissionDenied(access.UNAVAILABLE)
    return organization


def _page_size(request: Request) -> int:
    text = request.query_params.get("page_size", "50")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationError({"page_size": f"Give a number from 1 to {MAX_PAGE}."})
    return int(text)


class RecordList(APIView):
    """Audit records of an organization, newest first, with keyset cursor pagination."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=inline_serializer("AuditRecordPage", {
        "results": serializers.ListField(child=serializers.DictField()), "next": serializers.CharField(allow_null=True)}))
    def get(self, request: Request, slug: str) -> Response:
        organization = readable_organization(request, slug)
        try:
            records, cursor = page(filtered(organization.pk, parse_filters(request.query_params)),
                                   request.query_params.get("cursor"), _page_size(request))
        except BadQuery as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response({"results": [record_json(r) for r in records], "next": cursor})


def _organization_scope(text: str) -> int | None:
    if text == "instance":
        return None
    organization_id = row_id(text)
    if organization_id is None:
        raise ValidationError({"organization": "Give an organization id, or 'instance' for instance-wide events."})
    return organization_id


class InstanceRecordList(APIView):
    """Staff only: records of any organization by id (deleted ones included), or instance-wide events."""

    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[OpenApiParameter("organization", str, required=True,
                                                description="Organization id, or `instance`."), *FILTER_PARAMETERS],
                   responses=inline_serializer("AuditInstanceRecordPage", {
                       "results": serializers.ListField(child=serializers.DictField()),
                       "next": serializers.CharField(allow_null=True)}))
    def get(self, request: Request) -> Response:
        organization_id = _organization_scope(request.query_params.get("organization", ""))
        try:
            records, cursor = page(filtered(organization_id, parse_filters(request.query_params)),
                                   request.query_params.get("cursor"), _page_size(request))
        except BadQuery as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response({"results": [record_json(r) for r in records], "next": cursor})


class Verify(APIView):
    """Verify an organization's chain, signed checkpoints and the instance chain now.

    With ``signed_head`` (the ``signed_head`` line of an earlier JSON Lines export, or the
    ``anneal_signed_head`` of a streamed event), also check that the log still holds
    everything that head proved.
    """

    @extend_schema(request=inline_serializer("AuditVerifyRequest", {
        "signed_head": serializers.DictField(required=False)}), responses=inline_serializer("AuditVerifyReport", {
        "intact": serializers.BooleanField(), "records": serializers.IntegerField(),
        "checkpoints": serializers.IntegerField(), "problem": serializers.DictField(allow_null=True),
        "notes": serializers.ListField(child=serializers.CharField()), "summary": serializers.CharField()}))
    def post(self, request: Request, slug: str) -> Response:
        organization = readable_organization(request, slug)
        head = find_signed_head(request.data.get("signed_head")) if hasattr(request.data, "get") else None
        if head is None and hasattr(request.data, "get") and request.data.get("signed_head") is not None:
            raise ValidationError({"signed_head": "Not a signed head: give the signed_head of an export."})
        if head is not None and head.get("organization_id") != organization.pk:
            raise ValidationError({"signed_head": "This signed head belongs to another organization."})
        report = (since_export.verify_since([head])[0] if head is not None
                  else verify.verify_organization(organization.pk))
        return Response({**report.as_dict(), "summary": report.summary()})


def export_json(job: AuditExport, request: Request, slug: str) -> dict[str, Any]:
    download = None
    if job.status == "done":
        download = absolute_url(f"/api/v1/plugins/enterprise/audit/organizations/{slug}/exports/{job.pk}/file")
    return {"id": job.pk, "format": job.format, "status": job.status, "progress": job.progress, "done": job.done,
            "total": job.total, "error": job.error or None, "filters": job.filters, "download": download}


class ExportList(APIView):
    """Start an export (CSV or JSON Lines) of the records matching the filters."""

    @extend_schema(request=inline_serializer("AuditExportRequest", {
        "format": serializers.ChoiceField(choices=["jsonl", "csv"]), "since": serializers.CharField(required=False),
        "until": serializers.CharField(required=False), "action": serializers.CharField(required=False)}),
        responses={202: inline_serializer("AuditExport", {"id": serializers.IntegerField(),
                                                          "status": serializers.CharField()})})
    def post(self, request: Request, slug: str) -> Response:
        organization = readable_organization(request, slug)
        if any(not isinstance(value, str) for value in request.data.values()):
            raise ValidationError({"detail": "The format and each filter are strings."})
        try:
            job = export.request_export(organization, request.user, str(request.data.get("format", "jsonl")),
                                        parse_filters(request.data))
        except (BadQuery, export.ExportRefused) as exc:
            raise ValidationError({"detail": str(exc)}) from None
        job.refresh_from_db()
        return Response(export_json(job, request, slug), status=status.HTTP_202_ACCEPTED)


class ExportDetail(APIView):
    @extend_schema(responses=inline_serializer("AuditExportStatus", {"id": serializers.IntegerField(),
                                                                     "status": serializers.CharField(),
                                                                     "progress": serializers.IntegerField()}))
    def get(self, request: Request, slug: str, export_id: int) -> Response:
        organization = readable_organization(request, slug)
        job = get_object_or_404(AuditExport, pk=export_id, organization_id=organization.pk)
        return Response(export_json(job, request, slug))


class ExportFile(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, slug: str, export_id: int) -> Any:
        organization = readable_organization(request, slug)
        job = get_object_or_404(AuditExport, pk=export_id, organization_id=organization.pk)
        path = export.file_path(job)
        if job.status != "done" or path is None or not path.exists():
            raise NotFound("This export is not ready yet; poll its status.")
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


class PublicKey(APIView):
    """The PEM public keys that verify checkpoints, for offline verification of exports."""

    @extend_schema(responses=inline_serializer("AuditPublicKeys", {"pem": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        signing.current_key()
        return Response({"pem": signing.public_keys_pem()})


urlpatterns = [
    path("audit/public-key", PublicKey.as_view(), name="audit-public-key"),
    path("audit/records", InstanceRecordList.as_view(), name="audit-instance-records"),
    path("audit/organizations/<slug:slug>/records", RecordList.as_view(), name="audit-records"),
    path("audit/organizations/<slug:slug>/verify", Verify.as_view(), name="audit-verify"),
    path("audit/organizations/<slug:slug>/exports", ExportList.as_view(), name="audit-exports"),
    path("audit/organizations/<slug:slug>/exports/<int:export_id>", ExportDetail.as_view(), name="audit-export"),
    path("audit/organizations/<slug:slug>/exports/<int:export_id>/file", ExportFile.as_view(), name="audit-export-file"),
]
