"""Which organization's identity provider an email address or organization slug leads to."""

from __future__ import annotations

from anneal_enterprise import entitlements
from anneal_enterprise.sso.models import IdentityProvider, VerifiedDomain
from core.models import Organization


def organization_for(entry: str) -> Organization | None:
    entry = entry.strip().lower()
    if "@" in entry:
        domain = VerifiedDomain.objects.verified().select_related("organization").filter(domain=entry.rpartition("@")[2]).first()
        return domain.organization if domain else None
    return Organization.objects.filter(slug=entry).first()


def providers_for(organization: Organization) -> list[IdentityProvider]:
    """The enabled providers of ``organization``; none when it is not licensed for SSO."""
    if not entitlements.is_enabled(entitlements.SSO, organization):
        return []
    return list(IdentityProvider.objects.filter(organization=organization, enabled=True))
