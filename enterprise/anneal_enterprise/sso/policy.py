"""SSO enforcement: who may use a password, an old session or an API token.

Only organizations whose ``sso`` feature is enabled enforce anything, so when a license lapses
password sign-in comes back for everyone without touching the stored settings.
"""

from __future__ import annotations

from typing import Any

from anneal_enterprise import entitlements
from anneal_enterprise.sso.models import SsoSettings
from core.plugins import Refusal

SESSION_KEY = "anneal_sso_organizations"

PASSWORD_REFUSED = (
    "{org} requires signing in with its identity provider. Use \"Sign in with SSO\" on the sign-in page "
    "with your work email address or the organization's short name ({slug})."
)
SESSION_REFUSED = (
    "{org} now requires signing in with its identity provider, so your session has ended. "
    "Sign in again with \"Sign in with SSO\"."
)
TOKEN_REFUSED = "{org} requires SSO for API tokens too: ask an admin of {org} for a service account instead."


def enforcing_settings(user: Any) -> list[SsoSettings]:
    """The SSO settings of the user's organizations that enforce SSO and are licensed for it."""
    candidates = (
        SsoSettings.objects.filter(enforce=True, organization__memberships__user=user)
        .select_related("organization")
    )
    return [s for s in candidates if entitlements.is_enabled(entitlements.SSO, s.organization)]


def is_break_glass(user: Any, sso_settings: SsoSettings) -> bool:
    return sso_settings.break_glass.filter(pk=user.pk).exists() and sso_settings.organization.memberships.filter(
        user=user, role="owner").exists()


def sso_organizations_of_session(request: Any) -> set[int]:
    session = getattr(request, "session", None)
    if session is None:
        return set()
    return set(session.get(SESSION_KEY, []))


def decide(user: Any, method: str, request: Any) -> Refusal | None:
    if not entitlements.is_enabled(entitlements.SSO):
        return None  # unlicensed instance: nothing is enforced, and no query is spent per request
    if method == "token":
        for sso_settings in enforcing_settings(user):
            if sso_settings.require_for_tokens:
                return Refusal(TOKEN_REFUSED.format(org=sso_settings.organization.name), code="sso_required")
        return None
    signed_in_through = sso_organizations_of_session(request) if method == "session" else set()
    for sso_settings in enforcing_settings(user):
        organization = sso_settings.organization
        if organization.pk in signed_in_through or is_break_glass(user, sso_settings):
            continue
        template = PASSWORD_REFUSED if method == "password" else SESSION_REFUSED
        return Refusal(template.format(org=organization.name, slug=organization.slug), code="sso_required")
    return None
