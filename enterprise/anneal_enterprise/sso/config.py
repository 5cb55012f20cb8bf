"""Changing an organization's SSO configuration; every change emits an event."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from anneal_enterprise import entitlements
from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import IdentityProvider, ScimToken, SsoSettings, VerifiedDomain, hash_scim_token
from anneal_enterprise.sso.roles import validate_mapping
from core.events import Target, emit
from core.events.diff import snapshot
from core.models import Organization, User
from core.roles import Role
from core.services.errors import ServiceError
from core.services.names import clean_name

PROVIDER_FIELDS = [
    "name", "enabled", "issuer", "client_id", "client_secret", "scopes", "idp_metadata_url", "idp_metadata_xml",
    "sp_certificate", "allow_idp_initiated", "clock_skew_seconds", "email_attribute", "name_attribute",
    "groups_attribute", "role_mapping", "default_role", "require_mfa", "mfa_values",
]
AUDITED = [f for f in PROVIDER_FIELDS if f not in {"client_secret", "idp_metadata_xml", "sp_certificate"}]


def require_writable(organization: Organization) -> None:
    state = entitlements.state(entitlements.SSO, organization)
    if state == "read_only":
        raise ServiceError("The license for SSO has lapsed: the configuration is kept and readable, but changes "
                           "need a valid license. Ask your instance administrator to renew it.",
                           code="read_only")
    if state != "enabled":
        raise ServiceError("Single sign-on needs an enterprise license with the SSO feature.", code="unavailable")


def provider_target(provider: IdentityProvider) -> Target:
    return Target("identity_provider", str(provider.public_id), provider.name)


def _audit(provider: IdentityProvider) -> dict[str, Any]:
    data = snapshot(provider, AUDITED)
    data["client_secret"] = "set" if provider.client_secret_encrypted else None
    return data


def _validate(provider: IdentityProvider) -> None:
    provider.name = clean_name(provider.name, what="identity provider's name", max_length=100)
    if not provider.name:
        raise ServiceError("Give the identity provider a name, for example \"Okta\".", field="name")
    try:
        provider.role_mapping = validate_mapping(provider.role_mapping or {})
    except ValueError as exc:
        raise ServiceError(str(exc), field="role_mapping") from None
    if provider.default_role not in {r.value for r in Role} or provider.default_role == Role.OWNER.value:
        raise ServiceError("The default role is viewer, member or admin.", field="default_role")
    if provider.kind == IdentityProvider.OIDC:
        if not provider.issuer.startswith(("https://", "http://")):
            raise ServiceError("The issuer is the provider's URL, for example https://acme.okta.com.", field="issuer")
        if not provider.client_id:
            raise ServiceError("Copy the client id from your identity provider's application.", field="client_id")
        if "openid" not in provider.scopes.split():
            raise ServiceError("The scopes must include \"openid\".", field="scopes")
    elif provider.kind == IdentityProvider.SAML:
        if not (provider.idp_metadata_url or provider.idp_metadata_xml):
            raise ServiceError("Give the IdP metadata URL or upload its metadata XML.", field="idp_metadata_url")
        if provider.idp_metadata_xml and not provider.idp_metadata_url:
            check_metadata_xml(provider.idp_metadata_xml)
    else:
        raise ServiceError("The protocol is \"oidc\" or \"saml\".", field="kind")


def check_metadata_xml(xml: str) -> None:
    """Refuse uploaded IdP metadata that is not SAML metadata with an IdP descriptor, saying why."""
    from anneal_enterprise.sso.saml import parse_idp_metadata

    problem = parse_idp_metadata(xml)
    if problem:
        raise ServiceError(f"That is not usable IdP metadata: {problem}. Download the metadata XML from your "
                           "identity provider again (it starts with <EntityDescriptor>).", field="idp_metadata_xml")


def _load_metadata(provider: IdentityProvider, force: bool) -> None:
    if provider.kind != IdentityProvider.SAML or not provider.idp_metadata_url:
        return
    if provider.idp_metadata_xml and not force:
        return
    from anneal_enterprise.sso.saml import download_metadata

    try:
        provider.idp_metadata_xml = download_metadata(provider.idp_metadata_url)
    except ValueError as exc:
        raise ServiceError(f"The IdP metadata URL does not work: {exc}. Check the URL, or upload the metadata XML.",
                           field="idp_metadata_url") from None
    provider.metadata_refreshed_at = timezone.now()


def _load_discovery(provider: IdentityProvider, force: bool) -> None:
    """Read the OIDC discovery document now, while an admin saves: sign-in only uses what is stored."""
    if provider.kind != IdentityProvider.OIDC or (provider.oidc_discovery and not force):
        return
    from anneal_enterprise.sso.oidc_discovery import DiscoveryFailed, fetch_discovery

    try:
        provider.oidc_discovery = fetch_discovery(provider.issuer)
    except DiscoveryFailed as exc:
        raise ServiceError(f"The issuer does not work: {str(exc).rstrip('.')}. Check the issuer URL.", field="issuer") from None
    provider.metadata_refreshed_at = timezone.now()


def create_provider(organization: Organization, kind: str, public_id: uuid.UUID | None = None,
                    **fields: Any) -> IdentityProvider:
    """A new provider. ``public_id`` (which its redirect and ACS URLs contain) may be chosen beforehand,
    so those URLs can be shown, and registered at the IdP, before the provider is saved."""
    require_writable(organization)
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown identity provider field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    provider = IdentityProvider(organization=organization, kind=kind)
    if public_id is not None:
        if IdentityProvider.objects.filter(public_id=public_id).exists():
            raise ServiceError("That provider id is already in use; reload the page for a new one.", field="public_id")
        provider.public_id = public_id
    for name, value in fields.items():
        setattr(provider, name, value)
    _validate(provider)
    _load_metadata(provider, force=False)
    _load_discovery(provider, force=False)
    if kind == IdentityProvider.SAML and not provider.sp_private_key_encrypted:
        from anneal_enterprise.sso.saml_keys import new_sp_key_pair

        provider.sp_private_key, provider.sp_certificate = new_sp_key_pair(organization.slug)
    with transaction.atomic():
        provider.save()
        emit(events.PROVIDER_CREATED, organization=organization, target=provider_target(provider),
             after=_audit(provider), data={"kind": kind})
    return provider


def update_provider(provider: IdentityProvider, **changes: Any) -> IdentityProvider:
    require_writable(provider.organization)
    before = _audit(provider)
    for name, value in changes.items():
        if name not in PROVIDER_FIELDS:
            raise ServiceError(f"Unknown identity provider field {name!r}.", field=name)
        if name == "client_secret" and not value:
            continue  # an empty secret field keeps the stored one
        setattr(provider, name, value)
    _validate(provider)
    _load_metadata(provider, force="idp_metadata_url" in changes and changes["idp_metadata_url"] != before.get("idp_metadata_url"))
    _load_discovery(provider, force="issuer" in changes and changes["issuer"] != before.get("issuer"))
    with transaction.atomic():
        provider.save()
        emit(events.PROVIDER_UPDATED, organization=provider.organization_id, target=provider_target(provider),
             before=before, after=_audit(provider))
    return provider


def delete_provider(provider: IdentityProvider) -> None:
    require_writable(provider.organization)
    with transaction.atomic():
        emit(events.PROVIDER_DELETED, organization=provider.organization_id, target=provider_target(provider),
             before=_audit(provider))
        provider.delete()


def settings_for(organization: Organization) -> SsoSettings:
    return SsoSettings.objects.get_or_create(organization=organization)[0]


def _settings_snapshot(sso: SsoSettings) -> dict[str, Any]:
    return {"enforce": sso.enforce, "require_for_tokens": sso.require_for_tokens,
            "break_glass": sorted(sso.break_glass.values_list("email", flat=True))}


def update_settings(organization: Organization, enforce: bool, require_for_tokens: bool,
                    break_glass: list[User]) -> SsoSettings:
    require_writable(organization)
    owners = set(organization.memberships.filter(role=Role.OWNER.value).values_list("user_id", flat=True))
    for user in break_glass:
        if user.pk not in owners:
            raise ServiceError(f"{user.email} is not an owner: only owners can be break-glass accounts.",
                               field="break_glass")
    if enforce and not IdentityProvider.objects.filter(organization=organization, enabled=True).exists():
        raise ServiceError("Add and enable an identity provider before enforcing SSO.", field="enforce")
    with transaction.atomic():
        sso = SsoSettings.objects.select_for_update().get(pk=settings_for(organization).pk)
        before = _settings_snapshot(sso)
        sso.enforce, sso.require_for_tokens = enforce, require_for_tokens
        sso.save()
        sso.break_glass.set(break_glass)
        emit(events.SETTINGS_CHANGED, organization=organization,
             target=Target("organization", str(organization.pk), organization.slug),
             before=before, after=_settings_snapshot(sso))
    return sso


DOMAIN_NAME = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def _domain_target(record: VerifiedDomain) -> Target:
    return Target("domain", record.domain, record.domain)


def add_domain(organization: Organization, domain: str) -> VerifiedDomain:
    """Claim ``domain`` for the organization: it is pending, with a new token, until its TXT record is verified."""
    require_writable(organization)
    domain = domain.strip().lower().lstrip("@").rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")  # internationalized names are stored as punycode
    except UnicodeError:
        domain = ""
    if not DOMAIN_NAME.fullmatch(domain):
        raise ServiceError("Enter a domain such as acme.com.", field="domain")
    try:
        with transaction.atomic():
            record = VerifiedDomain.objects.create(organization=organization, domain=domain)
            emit(events.DOMAIN_ADDED, organization=organization, target=_domain_target(record),
                 data={"record_name": record.record_name, "status": "pending"})
    except IntegrityError:
        raise ServiceError(f"{domain} is already claimed by an organization.", code="unique", field="domain") from None
    return record


def verify_domain(record: VerifiedDomain, scheduled: bool = False) -> VerifiedDomain:
    """Check the domain's DNS TXT record now; a match verifies it, anything else leaves it as it was.

    Emits ``sso.domain_verified`` or ``sso.domain_verification_failed``. A failure only records the
    error: a verified domain is never un-verified here, and a pending one stays pending with its token.
    """
    if not scheduled:
        require_writable(record.organization)
    from anneal_enterprise.sso.domain_verification import check

    outcome = check(record)  # outside the transaction: a slow DNS holds no lock
    with transaction.atomic():
        current = VerifiedDomain.objects.select_for_update().filter(pk=record.pk).first()
        if current is None:
            raise ServiceError(f"{record.domain} was removed while it was being checked.", field="domain")
        record = current
        record.last_checked_at = timezone.now()
        if outcome.verified:
            newly = record.verified_at is None
            record.verified_at = record.verified_at or record.last_checked_at
            record.last_error = ""
            record.save(update_fields=["verified_at", "last_checked_at", "last_error"])
            if newly:
                emit(events.DOMAIN_VERIFIED, organization=record.organization_id, target=_domain_target(record),
                     data={"record_name": record.record_name, "scheduled": scheduled})
        else:
            record.last_error = outcome.error[:500]
            record.save(update_fields=["last_checked_at", "last_error"])
            emit(events.DOMAIN_VERIFICATION_FAILED, organization=record.organization_id,
                 target=_domain_target(record),
                 data={"record_name": record.record_name, "reason": outcome.error, "scheduled": scheduled})
    if not outcome.verified and not scheduled:
        raise ServiceError(outcome.error, code="domain_not_verified", field="domain")
    return record


def recheck_pending_domains() -> int:
    """Check every pending domain once (the periodic job); returns how many became verified."""
    verified = 0
    for record in VerifiedDomain.objects.filter(verified_at__isnull=True).select_related("organization"):
        if entitlements.state(entitlements.SSO, record.organization) != "enabled":
            continue
        if verify_domain(record, scheduled=True).is_verified:
            verified += 1
    return verified


def remove_domain(record: VerifiedDomain) -> None:
    require_writable(record.organization)
    with transaction.atomic():
        emit(events.DOMAIN_REMOVED, organization=record.organization_id, target=_domain_target(record))
        record.delete()


def create_scim_token(organization: Organization) -> tuple[ScimToken, str]:
    """A new SCIM token; the value is returned once and stored only as a hash."""
    require_writable(organization)
    value = "scim_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ScimToken.objects.create(organization=organization, prefix=value[:12],
                                         token_hash=hash_scim_token(value))
        emit(events.SCIM_TOKEN_CREATED, organization=organization, target=Target("scim_token", str(token.pk), token.prefix))
    return token, value


def revoke_scim_token(token: ScimToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        emit(events.SCIM_TOKEN_REVOKED, organization=token.organization_id,
             target=Target("scim_token", str(token.pk), token.prefix))
