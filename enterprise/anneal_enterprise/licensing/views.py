"""The admin License page: ``/plugins/enterprise/license/`` (instance admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from anneal_enterprise.licensing import banners, keyring, preview, product_issuer, services, status, trial, usage_views
from anneal_enterprise.licensing.usage import instance_key
from anneal_enterprise.licensing.api import license_summary
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.forms import LicenseKeyForm
from anneal_enterprise.licensing.models import LicenseKey
from core import product as product_identity
from core.plugins import step_up_required
from core.times import when


@staff_member_required(login_url="web:sign_in")
@require_http_methods(["GET", "POST"])
@step_up_required
def license_page(request: HttpRequest) -> HttpResponse:
    pasted = ""
    shown = None
    form, status_code = LicenseKeyForm(), 200
    if request.method == "POST" and request.POST.get("action", "preview") == "preview":
        form = LicenseKeyForm(request.POST)
        if form.is_valid():
            pasted = form.cleaned_data["key"]
            shown = preview.preview(pasted)
            if shown.license is None and shown.refusal is not None:  # not a key at all: say so by the field
                form.add_error("key", shown.refusal.message)
                status_code = 400
        else:
            status_code = 400
    elif request.method == "POST" and request.POST.get("action") == "remove":
        primary = keyring.primary_product()
        product = request.POST.get("product", "") or primary
        try:
            record = services.remove(source=LicenseKey.Source.WEB, user=request.user, product=product)
        except LicenseRefused as refusal:
            messages.error(request, refusal.message)
            status_code = 400
        else:
            messages.success(request, f"The license was removed. {product_identity.current().name} runs as the free edition; no data was deleted."
                             if product == primary else
                             f"License {record.license_id if record else ''} was removed; its features are off "
                             "and their data is kept.")
            status.refresh(force=True)
            return HttpResponseRedirect(reverse("enterprise:license"))
    elif request.method == "POST":
        form, status_code = LicenseKeyForm(request.POST), 400
        if form.is_valid():
            pasted = form.cleaned_data["key"]
            try:
                record = services.install(pasted, source=LicenseKey.Source.WEB, user=request.user)
            except LicenseRefused as refusal:
                form.add_error("key", refusal.message)
            else:
                messages.success(request, f"License {record.license_id} for {record.licensee} is installed.")
                status.refresh(force=True)
                return HttpResponseRedirect(reverse("enterprise:license"))
    history = LicenseKey.objects.select_related("installed_by")[:20]
    return render(request, "anneal_licensing/license.html",
                  {"summary": license_summary(), "history": history, "pasted": pasted, "form": form,
                   "preview": shown.as_json() if shown else None, "instance": instance_key.describe(),
                   "product": product_identity.current(), "edition": product_issuer.edition_label(),
                   "trial_button": banners.trial_button(request)}, status=status_code)


@staff_member_required(login_url="web:sign_in")
@require_POST
@step_up_required
def start_trial(request: HttpRequest) -> HttpResponse:
    """``POST``: start the edition's offline trial (the button of upgrade prompts and the License page)."""
    try:
        record = trial.start(source=LicenseKey.Source.WEB, user=request.user)
    except LicenseRefused as refusal:
        messages.error(request, refusal.message)
    else:
        status.refresh(force=True)
        ends = status.current().primary.claims
        messages.success(request, f"The trial of {product_issuer.edition_label()} has started: its features are on "
                          f"until {when(ends.grace_ends_at) if ends else ''}. License {record.license_id}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("enterprise:license")
    return HttpResponseRedirect(back)


urlpatterns = [
    path("license/", license_page, name="license"),
    path("license/trial/", start_trial, name="license-trial"),
    path("license/usage-report/", usage_views.usage_report, name="license-usage-report"),
]
