"""The SSO tab of an organization's settings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from anneal_enterprise import entitlements
from anneal_enterprise.sso import config, metadata_urls
from anneal_enterprise.sso.models import IdentityProvider, ScimToken, VerifiedDomain
from core.input_guard import row_id
from core.models import User
from core.plugins import step_up_required
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.plugins.web import object_or_404, organization_view, report


def _provider_fields(post: dict) -> dict:
    fields = {name: post.get(name, "").strip() for name in (
        "name", "issuer", "client_id", "client_secret", "scopes", "idp_metadata_url", "idp_metadata_xml",
        "email_attribute", "name_attribute", "groups_attribute", "default_role") if name in post}
    if "role_mapping" in post:
        try:
            fields["role_mapping"] = json.loads(post["role_mapping"] or "{}")
        except ValueError:
            raise ServiceError('The role mapping is JSON, for example {"anneal-admins": "admin"}.',
                               field="role_mapping") from None
    if "mfa_values" in post:
        fields["mfa_values"] = post.get("mfa_values", "").strip()[:4000]
    fields["require_mfa"] = post.get("require_mfa") == "on"
    fields["enabled"] = post.get("enabled") == "on"
    fields["allow_idp_initiated"] = post.get("allow_idp_initiated") == "on"
    if post.get("clock_skew_seconds"):
        skew = post["clock_skew_seconds"].strip()
        if not (skew.isascii() and skew.isdigit() and len(skew) < 6):
            raise ServiceError("The clock skew is a whole number of seconds.", field="clock_skew_seconds")
        fields["clock_skew_seconds"] = int(skew)
    return fields


def _act(request: HttpRequest) -> str | None:
    organization, action, post = request.organization, request.POST.get("action"), request.POST
    if action == "add_provider":
        provider = config.create_provider(organization, post.get("kind", "oidc"), **_provider_fields(post))
        return f"Added {provider.name}."
    if action == "update_provider":
        provider = object_or_404(IdentityProvider, organization=organization, public_id=post.get("id"))
        config.update_provider(provider, **_provider_fields(post))
        return f"Saved {provider.name}."
    if action == "delete_provider":
        config.delete_provider(object_or_404(IdentityProvider, organization=organization, public_id=post.get("id")))
        return "Removed the identity provider."
    if action == "settings":
        chosen = [pk for pk in map(row_id, post.getlist("break_glass")) if pk is not None]
        break_glass = list(User.objects.filter(pk__in=chosen))
        config.update_settings(organization, post.get("enforce") == "on", post.get("require_for_tokens") == "on",
                               break_glass)
        return "Saved the SSO policy."
    if action == "add_domain":
        domain = config.add_domain(organization, post.get("domain", ""))
        return (f"Added {domain.domain}, pending: publish the TXT record shown below, then press Verify.")
    if action == "verify_domain":
        domain = config.verify_domain(object_or_404(VerifiedDomain, organization=organization, pk=post.get("id")))
        return f"Verified {domain.domain}: it now routes SSO sign-in and allows account linking."
    if action == "remove_domain":
        config.remove_domain(object_or_404(VerifiedDomain, organization=organization, pk=post.get("id")))
        return "Removed the domain."
    if action == "create_scim_token":
        _, value = config.create_scim_token(organization)
        request.session["anneal_sso_new_scim_token"] = value
        return "Created a SCIM token: copy it now, it is shown only once."
    if action == "revoke_scim_token":
        config.revoke_scim_token(object_or_404(ScimToken, organization=organization, pk=post.get("id")))
        return "Revoked the SCIM token."
    raise ServiceError("Unknown action.")


@organization_view(Permission.MANAGE)
@step_up_required
def sso_settings(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    state = entitlements.state(entitlements.SSO, organization)
    if request.method == "POST":
        try:
            if request.role != Role.OWNER and request.POST.get("action") == "settings":
                raise ServiceError("Only owners change SSO enforcement.")
            message = _act(request)
        except (ServiceError, ValueError) as exc:
            report(request, exc if isinstance(exc, ServiceError) else ServiceError(str(exc)))
        else:
            messages.success(request, message)
        return redirect("enterprise:sso_settings", organization.slug)
    sso = config.settings_for(organization) if state != "unavailable" else None
    providers = IdentityProvider.objects.filter(organization=organization)
    return render(request, "anneal_sso/settings.html", {
        "organization": organization, "state": state, "sso": sso,
        "break_glass_ids": set(sso.break_glass.values_list("pk", flat=True)) if sso else set(),
        "providers": [(p, metadata_urls.for_provider(p), json.dumps(p.role_mapping)) for p in providers],
        "domains": VerifiedDomain.objects.filter(organization=organization),
        "owners": User.objects.filter(memberships__organization=organization, memberships__role=Role.OWNER.value),
        "scim_tokens": ScimToken.objects.filter(organization=organization, revoked_at=None),
        "new_scim_token": request.session.pop("anneal_sso_new_scim_token", None),
        "scim_base_url": metadata_urls.scim_base_url(),
        "roles": [r.value for r in Role if r != Role.OWNER],
    })
