"""Staff pages for support bundles: choose collectors, watch progress, preview, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anneal_enterprise import entitlements
from anneal_enterprise.support import bundles, collectors, conf
from anneal_enterprise.support.models import SupportBundle
from core.services.errors import ServiceError

staff = staff_member_required(login_url="web:sign_in")


def _state() -> str:
    return entitlements.state(entitlements.SUPPORT)


def _get(bundle_id: str) -> SupportBundle:
    if _state() == "unavailable":
        raise Http404("Support bundles need the support feature.")
    return get_object_or_404(SupportBundle.objects.defer("archive"), pk=bundle_id)


@staff
def bundle_list(request: HttpRequest) -> HttpResponse:
    state = _state()
    if request.method == "POST":
        if state != "enabled":
            messages.error(request, "Building support bundles needs an enterprise license with the support feature.")
            return redirect("enterprise:support-bundles")
        recipients = conf.age_recipients() if request.POST.get("encrypt") else []
        recipients += request.POST.get("recipients", "").replace(",", "\n").split()
        try:
            bundle = bundles.create_bundle(request.user, request.POST.getlist("collectors"), recipients)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("enterprise:support-bundle", bundle_id=bundle.pk)
    return render(request, "anneal_support/bundles.html", {
        "state": state,
        "collectors": list(collectors.registry().values()),
        "bundles": SupportBundle.objects.defer("archive", "files") if state != "unavailable" else [],
        "vendor_recipients": conf.age_recipients(),
        "days": conf.bundle_days(),
    })


@staff
def bundle_detail(request: HttpRequest, bundle_id: str) -> HttpResponse:
    return render(request, "anneal_support/bundle.html", {"bundle": _get(bundle_id)})


@staff
def bundle_status(request: HttpRequest, bundle_id: str) -> JsonResponse:
    bundle = get_object_or_404(SupportBundle.objects.only("status", "progress", "step", "error"), pk=bundle_id)
    return JsonResponse({"status": bundle.status, "progress": bundle.progress, "step": bundle.step,
                         "error": bundle.error})


@staff
def bundle_download(request: HttpRequest, bundle_id: str) -> HttpResponse:
    bundle = get_object_or_404(SupportBundle, pk=bundle_id) if _state() != "unavailable" else None
    if bundle is None:
        raise Http404("Support bundles need the support feature.")
    try:
        data = bundles.record_download(bundle)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("enterprise:support-bundle", bundle_id=bundle.pk)
    response = HttpResponse(data, content_type="application/octet-stream" if bundle.encrypted else "application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
    return response


@staff
@require_POST
def bundle_delete(request: HttpRequest, bundle_id: str) -> HttpResponse:
    bundles.delete_bundle(_get(bundle_id))
    messages.success(request, "Support bundle deleted.")
    return redirect("enterprise:support-bundles")
