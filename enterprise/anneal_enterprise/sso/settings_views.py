"""The SSO tab of an organization's settings.

The add forms show the provider's redirect URI (OIDC) or ACS URL and entity ID (SAML) before the
provider exists: each organization has a pending provider id per protocol, kept in the session
until a provider is created with it, so reloading the page or correcting a mistake never changes
a URL the admin has already registered at the identity provider.
"""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from anneal_enterprise import entitlements
from anneal_enterprise.sso import config, metadata_urls
from anneal_enterprise.sso.models import IdentityProvider, ScimToken, VerifiedDomain
from core.input_guard import row_id
from core.links import base_url_note
from core.models import User
from core.plugins import step_up_required
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.plugins.web import object_or_404, organization_view, report


ADD_FORM_KEY = "anneal_sso_add_form"
METADATA_XML_LIMIT = 1_000_000


def pending_public_id(request: HttpRequest, kind: str) -> uuid.UUID:
    """The id the next ``kind`` provider of this organization gets: the same until one is created."""
    key = f"anneal_sso_pending_{kind}_{request.organization.pk}"
    value = request.session.get(key)
    try:
        return uuid.UUID(str(value))
    except ValueError:
        fresh = uuid.uuid4()
        request.session[key] = str(fresh)
        return fresh


def _forget_pending_public_id(request: HttpRequest, kind: str) -> None:
    request.session.pop(f"anneal_sso_pending_{kind}_{request.organization.pk}", None)


def _uploaded_metadata(request: HttpRequest) -> str | None:
    """The metadata XML from the file field or the text field; ``None`` if neither was filled in."""
    upload = request.FILES.get("idp_metadata_file")
    if upload is not None:
        if upload.size > METADATA_XML_LIMIT:
            raise ServiceError("That metadata file is larger than 1 MB; it is not IdP metadata.",
                               field="idp_metadata_xml")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError("That file is not UTF-8 text; upload the IdP's metadata XML.",
                               field="idp_metadata_xml") from None
    text = request.POST.get("idp_metadata_xml", "").strip()
    return text or None


def _metadata_source(request: HttpRequest, fields: dict) -> dict:
    """A SAML form chooses where the IdP metadata comes from: its URL, or XML pasted or uploaded."""
    source = request.POST.get("metadata_source")
    if source is None:
        return fields
    fields.pop("idp_metadata_xml", None)
    if source == "xml":
        xml = _uploaded_metadata(request)
        if xml is None and request.POST.get("action") == "add_provider":
            raise ServiceError("Paste the IdP metadata XML or choose its file.", field="idp_metadata_xml")
        fields["idp_metadata_url"] = ""
        if xml is not None:
            fields["idp_metadata_xml"] = xml
    elif source == "url":
        if not fields.get("idp_metadata_url"):
            raise ServiceError("Give the IdP metadata URL, or choose to upload the metadata XML.",
                               field="idp_metadata_url")
    else:
        raise ServiceError("The metadata source is a URL or uploaded XML.", field="metadata_source")
    return fields


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
        kind = post.get("kind", "oidc")
        if kind not in (IdentityProvider.OIDC, IdentityProvider.SAML):
            raise ServiceError("The protocol is \"oidc\" or \"saml\".", field="kind")
        fields = _metadata_source(request, _provider_fields(post))
        without_secret = kind == IdentityProvider.OIDC and not fields.get("client_secret")
        if without_secret:
            fields["enabled"] = False  # it cannot complete a sign-in until the secret is there
        provider = config.create_provider(organization, kind, public_id=pending_public_id(request, kind), **fields)
        _forget_pending_public_id(request, kind)
        if without_secret:
            return (f"Added {provider.name}, disabled: enter the client secret your identity provider issued "
                    "and tick Enabled to let members sign in with it.")
        return f"Added {provider.name}."
    if action == "update_provider":
        provider = object_or_404(IdentityProvider, organization=organization, public_id=post.get("id"))
        fields = _provider_fields(post)
        if provider.kind == IdentityProvider.SAML:
            fields = _metadata_source(request, fields)
        config.update_provider(provider, **fields)
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
            if request.POST.get("action") == "add_provider":  # show the form again as it was typed, secret aside
                request.session[ADD_FORM_KEY] = {
                    name: value for name, value in request.POST.items()
                    if name not in ("client_secret", "csrfmiddlewaretoken", "idp_metadata_xml")}
        else:
            messages.success(request, message)
        return redirect("enterprise:sso_settings", organization.slug)
    sso = config.settings_for(organization) if state != "unavailable" else None
    providers = IdentityProvider.objects.filter(organization=organization)
    typed = request.session.pop(ADD_FORM_KEY, None) or {}
    pending = {kind: pending_public_id(request, kind) for kind in (IdentityProvider.OIDC, IdentityProvider.SAML)}
    return render(request, "anneal_sso/settings.html", {
        "typed_oidc": typed if typed.get("kind") == "oidc" else {},
        "typed_saml": typed if typed.get("kind") == "saml" else {},
        "pending_oidc_urls": metadata_urls.for_public_id(IdentityProvider.OIDC, pending[IdentityProvider.OIDC]),
        "pending_saml_urls": {label: value for label, value in metadata_urls.for_public_id(
            IdentityProvider.SAML, pending[IdentityProvider.SAML]).items() if label != "SP metadata"},
        "base_url_note": base_url_note(),
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
