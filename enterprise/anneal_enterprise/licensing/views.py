"""The admin License page: ``/plugins/enterprise/license/`` (instance admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from anneal_enterprise.licensing import keyring, preview, services, status, usage_views
from anneal_enterprise.licensing.usage import instance_key
from anneal_enterprise.licensing.api import license_summary
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey
from core.plugins import step_up_required


@staff_member_required(login_url="web:sign_in")
@require_http_methods(["GET", "POST"])
@step_up_required
def license_page(request: HttpRequest) -> HttpResponse:
    pasted = ""
    shown = None
    if request.method == "POST" and request.POST.get("action", "preview") == "preview":
        pasted = request.POST.get("key", "")
        shown = preview.preview(pasted)
    elif request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                primary = keyring.primary_product()
                product = request.POST.get("product", "") or primary
                record = services.remove(source=LicenseKey.Source.WEB, user=request.user, product=product)
                messages.success(request, "The license was removed. Anneal runs as the free edition; no data was deleted."
                                 if product == primary else
                                 f"License {record.license_id if record else ''} was removed; its features are off "
                                 "and their data is kept.")
            else:
                pasted = request.POST.get("key", "")
                record = services.install(pasted, source=LicenseKey.Source.WEB, user=request.user)
                messages.success(request, f"License {record.license_id} for {record.licensee} is installed.")
            status.refresh(force=True)
            return HttpResponseRedirect(reverse("enterprise:license"))
        except LicenseRefused as refusal:
            messages.error(request, refusal.message)
    history = LicenseKey.objects.select_related("installed_by")[:20]
    return render(request, "anneal_licensing/license.html",
                  {"summary": license_summary(), "history": history, "pasted": pasted,
                   "preview": shown.as_json() if shown else None, "instance": instance_key.describe()})


urlpatterns = [
    path("license/", license_page, name="license"),
    path("license/usage-report/", usage_views.usage_report, name="license-usage-report"),
]
