"""SSO enforcement: who may use a password, an old session or an API token.

Only organizations whose ``sso`` feature is enabled enforce anything, so when a license lapses
password sign-in comes back for everyone without touching the stored settings.

Which organizations enforce SSO is kept per process (:data:`ENFORCING`, a
:class:`core.shared_cache.SharedCache`): every change of an organization's SSO settings bumps
its shared version stamp (see :func:`settings_changed`), and every process reloads within a second.
A request of a user when no organization enforces, or an API token request when no
organization refuses tokens, costs no query.
"""

from __future__ import annotations

from typing import Any

from anneal_enterprise import entitlements
from anneal_enterprise.sso.models import SsoSettings
from core.models import Organization
from core.plugins import Refusal
from core.shared_cache import SharedCache

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


def _load_enforcing() -> dict[int, bool]:
    return dict(SsoSettings.objects.filter(enforce=True).values_list("organization_id", "require_for_tokens"))


ENFORCING: SharedCache[dict[int, bool]] = SharedCache("sso.enforcing", _load_enforcing)
"""Organization id -> refuses API tokens too, for every organization that enforces SSO."""


def settings_changed(**_: Any) -> None:
    """Receiver of ``SsoSettings`` saves and deletes: every process reloads :data:`ENFORCING`."""
    ENFORCING.changed()


def _licensed(organization_ids: list[int]) -> list[int]:
    return [pk for pk in organization_ids if entitlements.is_enabled(entitlements.SSO, Organization(pk=pk))]


def enforcing_settings(user: Any, tokens_only: bool = False) -> list[SsoSettings]:
    """The SSO settings of the user's organizations that enforce SSO and are licensed for it.

    ``tokens_only``: only those that refuse API tokens too. No query when there are none.
    """
    enforcing = ENFORCING.get()
    candidates = _licensed([pk for pk, tokens in enforcing.items() if tokens or not tokens_only])
    if not candidates:
        return []
    return _query(user, candidates, tokens_only)


def _query(user: Any, organization_ids: list[int], tokens_only: bool) -> list[SsoSettings]:
    queryset = SsoSettings.objects.filter(enforce=True, organization_id__in=organization_ids,
                                          organization__memberships__user=user)
    if tokens_only:
        queryset = queryset.filter(require_for_tokens=True)
    return list(queryset.select_related("organization").order_by("organization_id"))


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
        for sso_settings in enforcing_settings(user, tokens_only=True):
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
