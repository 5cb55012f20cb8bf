"""The "MFA policy" tab of an organization's settings (enterprise)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from anneal_enterprise import entitlements
from anneal_enterprise.forms import Checkbox
from anneal_enterprise.sso import mfa_policy
from core.models import Passkey
from core.plugins import step_up_required
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.web.views.common import organization_view, require_role


class MfaPolicyForm(forms.Form):
    phishing_resistant_only = Checkbox(
        label="Accept only passkeys and security keys (phishing-resistant)",
        help_text="Members must register a passkey or security key; authenticator apps and recovery codes are not "
                  "accepted. Members without one get the organization's grace period.")
    allowed_aaguids = forms.CharField(
        label="Allowed authenticator models (AAGUIDs, one per line)", required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Empty: any model. Set ANNEAL_WEBAUTHN_ATTESTATION=direct so authenticators prove their model.")


@organization_view(Permission.MANAGE)
@step_up_required
def mfa_policy_settings(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    policy = mfa_policy.policy_of(organization)
    form = MfaPolicyForm(initial={"phishing_resistant_only": policy.phishing_resistant_only,
                                  "allowed_aaguids": "\n".join(policy.allowed_aaguids)})
    status = 200
    if request.method == "POST":
        refused = require_role(request, Permission.OWN)
        if refused:
            return refused
        form = MfaPolicyForm(request.POST)
        if form.is_valid():
            try:
                mfa_policy.update(organization, request.user, form.cleaned_data["phishing_resistant_only"],
                                  form.cleaned_data["allowed_aaguids"].splitlines())
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The MFA policy is saved.")
                return redirect("enterprise:mfa_policy", organization.slug)
        status = 400
    return render(request, "anneal_sso/mfa_policy.html", {
        "organization": organization, "form": form, "is_owner": request.role == Role.OWNER,
        "current_section": "mfa-policy", "state": entitlements.state(entitlements.SSO, organization),
        "models_in_use": sorted(set(Passkey.objects.filter(user__memberships__organization=organization)
                                    .values_list("aaguid", flat=True))),
    }, status=status)
