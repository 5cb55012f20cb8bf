"""Staff pages for support bundles: choose collectors, watch progress, preview, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anneal_enterprise import entitlements
from anneal_enterprise.forms import refuse_or_tell
from anneal_enterprise.support import bundles, conf
from anneal_enterprise.support.forms import BundleForm
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
    form, status = BundleForm(vendor_recipients=conf.age_recipients()), 200
    if request.method == "POST":
        if state != "enabled":
            messages.error(request, "Building support bundles needs an enterprise license with the support feature.")
            return redirect("enterprise:support-bundles")
        form, status = BundleForm(request.POST, vendor_recipients=conf.age_recipients()), 400
        if form.is_valid():
            recipients = conf.age_recipients() if form.cleaned_data.get("encrypt") else []
            recipients += form.cleaned_data["recipients"].replace(",", "\n").split()
            try:
                bundle = bundles.create_bundle(request.user, form.cleaned_data["collectors"], recipients)
            except ServiceError as exc:
                refuse_or_tell(request, form, exc.message, exc.field)
            else:
                return redirect("enterprise:support-bundle", bundle_id=bundle.pk)
    return render(request, "anneal_support/bundles.html", {
        "state": state, "form": form,
        "bundles": SupportBundle.objects.defer("archive", "files") if state != "unavailable" else [],
        "days": conf.bundle_days(),
    }, status=status)


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
