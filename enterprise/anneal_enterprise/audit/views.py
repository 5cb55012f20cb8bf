"""Web pages of the audit log: browse and filter, verify, export, destinations, retention."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anneal_enterprise.audit import access, export, retention, since_export, verify
from anneal_enterprise.audit.actors import for_page
from anneal_enterprise.audit.forms import DestinationForm, ExportForm, RetentionForm, VerifyForm
from anneal_enterprise.audit.models import AuditDestination, AuditExport, AuditPolicy
from anneal_enterprise.audit.presentation import record_json
from anneal_enterprise.audit.query import BadQuery, Filters, filtered, page, parse_filters
from anneal_enterprise.audit.streaming import destinations
from anneal_enterprise.forms import keep_refused, refuse, refused_form
from core.events import registry
from core.input_guard import row_id
from core.roles import Permission
from core.plugins.web import object_or_404, organization_view


def _forms(request: HttpRequest, policy: AuditPolicy | None) -> dict:
    """The page's forms: empty, or the one refused on the previous request with what was typed."""
    retention_days = policy.retention_days if policy and policy.retention_days is not None else ""
    return {
        "verify_form": refused_form(request, "verify", VerifyForm) or VerifyForm(),
        "export_form": refused_form(request, "export", ExportForm) or ExportForm(),
        "destination_form": refused_form(request, "destination", DestinationForm) or DestinationForm(),
        "retention_form": (refused_form(request, "retention", RetentionForm)
                           or RetentionForm(initial={"retention_days": retention_days})),
    }


def _back_with(request: HttpRequest, name: str, form: forms.Form) -> HttpResponse:
    """Back to the audit log page, which shows the refused ``form`` again by its fields."""
    keep_refused(request, name, form)
    return redirect("enterprise:audit-records", request.organization.slug)


def _unavailable(request: HttpRequest, status: int = 403) -> HttpResponse:
    """The upgrade prompt: a page like every other upgrade prompt (200), a refusal (403) for an action."""
    return render(request, "anneal_audit/unavailable.html", {"organization": request.organization}, status=status)


@organization_view(Permission.MANAGE)
def records(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if not access.can_read(organization):
        return _unavailable(request, status=200)
    try:
        filters = parse_filters(request.GET)
        size = request.GET.get("page_size", "50")
        shown, next_cursor = page(filtered(organization.pk, filters), request.GET.get("cursor"),
                                  int(size) if size.isascii() and size.isdigit() else 50)
    except BadQuery as exc:
        messages.error(request, str(exc))
        filters, shown, next_cursor = Filters(), [], None
    query = request.GET.copy()
    query.pop("cursor", None)
    if next_cursor:
        query["cursor"] = next_cursor
    policy = AuditPolicy.objects.filter(organization_id=organization.pk).first()
    return render(request, "anneal_audit/records.html", {
        **_forms(request, policy),
        "organization": organization, "records": [for_page(record_json(r)) for r in shown], "filters": filters,
        "next_query": query.urlencode() if next_cursor else "", "event_types": sorted(registry.event_types()),
        "state": access.state(organization),
        "exports": AuditExport.objects.filter(organization_id=organization.pk).order_by("-id")[:10],
        "destinations": AuditDestination.objects.filter(organization_id=organization.pk).order_by("id"),
        "policy": policy,
    })


@require_POST
@organization_view(Permission.MANAGE)
def verify_organization(request: HttpRequest) -> HttpResponse:
    if not access.can_read(request.organization):
        return _unavailable(request)
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _back_with(request, "verify", form)
    upload = form.cleaned_data["since_export"]
    if upload is None:
        report = verify.verify_organization(request.organization.pk)
    else:
        try:
            lines = (line.decode("utf-8") for line in upload)
            heads = [head for head in since_export.signed_heads(lines)
                     if head.get("organization_id") == request.organization.pk]
        except (UnicodeDecodeError, since_export.NoSignedHead) as exc:
            refuse(form, f"Cannot compare with that file: {exc}", "since_export")
            return _back_with(request, "verify", form)
        if not heads:
            refuse(form, "That file holds no signed head of this organization.", "since_export")
            return _back_with(request, "verify", form)
        report = since_export.verify_since(heads)[0]
    (messages.success if report.intact else messages.error)(request, " ".join([report.summary(), *report.notes]))
    return redirect("enterprise:audit-records", request.organization.slug)


@require_POST
@organization_view(Permission.MANAGE)
def create_export(request: HttpRequest) -> HttpResponse:
    if not access.can_read(request.organization):
        return _unavailable(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _back_with(request, "export", form)
    try:
        job = export.request_export(request.organization, request.user, form.cleaned_data["format"],
                                    parse_filters(request.POST))
    except export.ExportRefused as exc:
        refuse(form, str(exc), "format")
        return _back_with(request, "export", form)
    except BadQuery as exc:
        refuse(form, str(exc), None)
        return _back_with(request, "export", form)
    else:
        messages.success(request, f"The {job.get_format_display()} export started; its progress shows below.")
    return redirect("enterprise:audit-records", request.organization.slug)


@organization_view(Permission.MANAGE)
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    job = get_object_or_404(AuditExport, pk=export_id, organization_id=request.organization.pk)
    return render(request, "anneal_audit/export_row.html", {"job": job, "organization": request.organization})


@organization_view(Permission.MANAGE)
def download_export(request: HttpRequest, export_id: int) -> HttpResponse:
    job = get_object_or_404(AuditExport, pk=export_id, organization_id=request.organization.pk)
    if not access.can_read(request.organization):
        return _unavailable(request)
    path = export.file_path(job)
    if job.status != "done" or path is None or not path.exists():
        raise Http404("This export is not ready.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@require_POST
@organization_view(Permission.MANAGE)
def change_destinations(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if not access.can_configure(organization):
        messages.error(request, access.READ_ONLY if access.can_read(organization) else access.UNAVAILABLE)
        return redirect("enterprise:audit-records", organization.slug)
    try:
        if request.POST.get("action") == "delete":
            destinations.delete(object_or_404(AuditDestination, organization_id=organization.pk,
                                                  pk=request.POST.get("id")))
            messages.success(request, "Destination removed.")
        else:
            form = DestinationForm(request.POST)
            if not form.is_valid():
                return _back_with(request, "destination", form)
            try:
                destination, secret = destinations.create(organization, form.cleaned_data)
            except destinations.DestinationInvalid as exc:
                refuse(form, str(exc), exc.field)
                return _back_with(request, "destination", form)
            messages.success(request, f"Added {destination.name}. Its signing secret (shown once): {secret}"
                             if secret else f"Added {destination.name}.")
    except destinations.DestinationInvalid as exc:
        messages.error(request, str(exc))
    return redirect("enterprise:audit-records", organization.slug)


@require_POST
@organization_view(Permission.MANAGE)
def change_retention(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if not access.can_configure(organization):
        messages.error(request, access.READ_ONLY if access.can_read(organization) else access.UNAVAILABLE)
        return redirect("enterprise:audit-records", organization.slug)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        return _back_with(request, "retention", form)
    try:
        retention.set_retention(organization, form.cleaned_data["retention_days"])
    except retention.RetentionInvalid as exc:
        refuse(form, str(exc), "retention_days")
        return _back_with(request, "retention", form)
    messages.success(request, "Retention saved.")
    return redirect("enterprise:audit-records", organization.slug)


@staff_member_required
def integrity(request: HttpRequest) -> HttpResponse:
    """For staff: verify every organization's chain, and browse any organization's records
    (by id, deleted organizations included) or the instance-wide events."""
    reports = verify.verify_all() if request.method == "POST" else None
    scope = request.GET.get("organization", "instance")
    shown, next_query, filters = [], "", Filters()
    if scope == "instance" or row_id(scope) is not None:
        try:
            filters = parse_filters(request.GET)
            records_page, cursor = page(filtered(None if scope == "instance" else int(scope), filters),
                                        request.GET.get("cursor"), 50)
            shown = [for_page(record_json(r)) for r in records_page]
            if cursor:
                query = request.GET.copy()
                query["cursor"] = cursor
                next_query = query.urlencode()
        except BadQuery as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Give an organization id, or 'instance' for instance-wide events.")
    return render(request, "anneal_audit/integrity.html", {
        "reports": reports, "records": shown, "scope": scope, "filters": filters, "next_query": next_query,
        "event_types": sorted(registry.event_types()),
    })


@staff_member_required
def instance_records(request: HttpRequest) -> HttpResponse:
    """For staff: the events that belong to no organization (accounts, sign-ins, the license)."""
    state = access.state(None)
    shown, next_query, filters = [], "", Filters()
    if state != "unavailable":
        try:
            filters = parse_filters(request.GET)
            records_page, cursor = page(filtered(None, filters), request.GET.get("cursor"), 50)
            shown = [for_page(record_json(r)) for r in records_page]
            if cursor:
                query = request.GET.copy()
                query["cursor"] = cursor
                next_query = query.urlencode()
        except BadQuery as exc:
            messages.error(request, str(exc))
    return render(request, "anneal_audit/instance.html", {
        "state": state, "records": shown, "filters": filters, "next_query": next_query,
        "event_types": sorted(registry.event_types()),
    })
