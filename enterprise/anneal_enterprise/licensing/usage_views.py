"""The usage report pages: ``/plugins/enterprise/license/usage-report/`` (instance admins only).

``GET`` with a period shows exactly the file the download delivers; ``POST`` downloads it and
records the download in the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from anneal_enterprise.forms import Checkbox
from anneal_enterprise.licensing import clock, keyring
from anneal_enterprise.licensing.usage import downloads, instance_key
from anneal_enterprise.licensing.usage.reports import ReportRefused, ReportRequest, build, render as render_report


class ReportForm(forms.Form):
    first_day = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    include_names = Checkbox(
        label="Include the names and emails of seat holders (otherwise the report holds counts only)")
    product = forms.CharField(widget=forms.HiddenInput, required=False)

    def report_request(self) -> ReportRequest:
        data = self.cleaned_data
        return ReportRequest(data["first_day"], data["last_day"], data["include_names"],
                             data["product"] or keyring.primary_product())


def default_form() -> ReportForm:
    yesterday = clock.now().date() - timedelta(days=1)
    return ReportForm(initial={"first_day": yesterday.replace(day=1), "last_day": yesterday,
                               "product": keyring.primary_product()})


@staff_member_required(login_url="web:sign_in")
@require_http_methods(["GET", "POST"])
def usage_report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST if request.method == "POST" else request.GET or None)
    content, refusal = "", ""
    if form.is_bound and form.is_valid():
        try:
            if request.method == "POST":
                filename, content = downloads.download(form.report_request(), source="web")
                response = HttpResponse(content, content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
            content = render_report(build(form.report_request()))
        except ReportRefused as error:
            refusal = error.message
    return render(request, "anneal_licensing/usage_report.html", {
        "form": form if form.is_bound else default_form(), "content": content, "refusal": refusal,
        "instance": instance_key.describe()})
