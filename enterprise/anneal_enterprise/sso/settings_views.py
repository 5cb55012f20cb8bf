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
from anneal_enterprise.forms import show_refusal
from anneal_enterprise.sso import config, metadata_urls
from anneal_enterprise.sso.forms import DomainForm, PolicyForm, ProviderForm
from anneal_enterprise.sso.models import IdentityProvider, ScimToken, VerifiedDomain
from core.input_guard import row_id
from core.links import base_url_note
from core.models import User
from core.plugins import step_up_required
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.plugins.web import object_or_404, organization_view, report


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


FORM_ACTIONS = ("add_provider", "update_provider", "settings", "add_domain")


def _refused_forms(request: HttpRequest, error: ServiceError, owners: list[User], editable: bool) -> dict | None:
    """The form a refused submission came from, bound to what was typed (secrets aside) with the
    refusal by its field; ``None`` for an action without a form of its own (shown as a message)."""
    post, action = request.POST, request.POST.get("action")
    if action not in FORM_ACTIONS:
        return None
    typed = post.copy()
    typed.pop("client_secret", None)  # a secret is never sent back to the browser
    if action == "add_provider":
        kind = post.get("kind")
        if kind not in (IdentityProvider.OIDC, IdentityProvider.SAML):
            return None
        name, form = f"add_{kind}_form", ProviderForm(typed, kind=kind)
    elif action == "update_provider":
        provider = IdentityProvider.objects.filter(organization=request.organization,
                                                   public_id=_uuid_or_none(post.get("id"))).first()
        if provider is None:
            return None
        name, form = f"provider_{provider.pk}", ProviderForm(typed, kind=provider.kind, provider=provider)
    elif action == "settings":
        name, form = "policy_form", PolicyForm(typed, owners=owners, editable=editable)
    else:
        name, form = "domain_form", DomainForm(typed)
    show_refusal(form, error.message, error.field)
    return {name: form}


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@organization_view(Permission.MANAGE)
@step_up_required
def sso_settings(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    state = entitlements.state(entitlements.SSO, organization)
    owners = list(User.objects.filter(memberships__organization=organization, memberships__role=Role.OWNER.value))
    refused: dict = {}
    if request.method == "POST":
        try:
            if request.role != Role.OWNER and request.POST.get("action") == "settings":
                raise ServiceError("Only owners change SSO enforcement.")
            message = _act(request)
        except (ServiceError, ValueError) as exc:
            error = exc if isinstance(exc, ServiceError) else ServiceError(str(exc))
            refused = _refused_forms(request, error, owners, state == "enabled") or {}
            if not refused:
                report(request, error)
                return redirect("enterprise:sso_settings", organization.slug)
        else:
            messages.success(request, message)
            return redirect("enterprise:sso_settings", organization.slug)
    sso = config.settings_for(organization) if state != "unavailable" else None
    providers = IdentityProvider.objects.filter(organization=organization)
    pending = {kind: pending_public_id(request, kind) for kind in (IdentityProvider.OIDC, IdentityProvider.SAML)}
    break_glass = [str(pk) for pk in sso.break_glass.values_list("pk", flat=True)] if sso else []
    return render(request, "anneal_sso/settings.html", {
        "add_oidc_form": refused.get("add_oidc_form") or ProviderForm(kind=IdentityProvider.OIDC),
        "add_saml_form": refused.get("add_saml_form") or ProviderForm(kind=IdentityProvider.SAML),
        "domain_form": refused.get("domain_form") or DomainForm(),
        "policy_form": refused.get("policy_form") or PolicyForm(
            owners=owners, editable=state == "enabled",
            initial={"enforce": sso.enforce, "require_for_tokens": sso.require_for_tokens,
                     "break_glass": break_glass} if sso else {}),
        "pending_oidc_urls": metadata_urls.for_public_id(IdentityProvider.OIDC, pending[IdentityProvider.OIDC]),
        "pending_saml_urls": {label: value for label, value in metadata_urls.for_public_id(
            IdentityProvider.SAML, pending[IdentityProvider.SAML]).items() if label != "SP metadata"},
        "base_url_note": base_url_note(),
        "organization": organization, "state": state, "sso": sso,
        "providers": [(p, metadata_urls.for_provider(p),
                       refused.get(f"provider_{p.pk}") or ProviderForm(kind=p.kind, provider=p)) for p in providers],
        "domains": VerifiedDomain.objects.filter(organization=organization),
        "scim_tokens": ScimToken.objects.filter(organization=organization, revoked_at=None),
        "new_scim_token": request.session.pop("anneal_sso_new_scim_token", None),
        "scim_base_url": metadata_urls.scim_base_url(),
    }, status=400 if refused else 200)
