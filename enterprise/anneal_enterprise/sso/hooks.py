"""SSO's runtime hook implementations: the only places where SSO attaches to the core."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from anneal_enterprise.sso import events
from core.plugins import EventType, PeriodicTask, Refusal, SettingsSection, SignInMethod, hookimpl


@hookimpl
def anneal_urlpatterns() -> list[Any]:
    from anneal_enterprise.sso.urls import web_urlpatterns

    return web_urlpatterns


@hookimpl
def anneal_api_urlpatterns() -> list[Any]:
    from anneal_enterprise.sso.urls import api_urlpatterns

    return api_urlpatterns


@hookimpl
def anneal_event_types() -> list[EventType]:
    return events.EVENT_TYPES


@hookimpl
def anneal_sign_in_methods(request: Any) -> list[SignInMethod]:
    from anneal_enterprise import entitlements
    from core.models import Organization

    organizations = Organization.objects.filter(identity_providers__enabled=True).distinct()[:100]
    if not any(entitlements.is_enabled(entitlements.SSO, organization) for organization in organizations):
        return []
    next_url = request.GET.get("next", "")
    url = reverse("enterprise:sso_sign_in") + (f"?{urlencode({'next': next_url})}" if next_url else "")
    return [SignInMethod("sso", "Sign in with SSO", url, "with your work email or your organization's short name")]


@hookimpl
def anneal_authentication_policy(user: Any, method: str, request: Any) -> Refusal | None:
    from anneal_enterprise.sso.policy import decide

    return decide(user, method, request)


@hookimpl
def anneal_mfa_requirements(user: Any) -> list[Any]:
    from anneal_enterprise.sso import mfa_policy

    if not entitlements_enabled():
        return []
    return mfa_policy.requirements(user)


@hookimpl
def anneal_passkey_registration(user: Any, aaguid: str, attestation_format: str) -> Refusal | None:
    from anneal_enterprise.sso import mfa_policy

    if not entitlements_enabled():
        return None
    return mfa_policy.passkey_refusal(user, aaguid)


def entitlements_enabled() -> bool:
    from anneal_enterprise import entitlements

    return entitlements.is_enabled(entitlements.SSO)


@hookimpl
def anneal_settings_sections(request: Any, organization: Any) -> list[SettingsSection]:
    return [SettingsSection("sso", "SSO", reverse("enterprise:sso_settings", args=[organization.slug]), order=50),
            SettingsSection("mfa-policy", "MFA policy", reverse("enterprise:mfa_policy", args=[organization.slug]),
                            order=55)]


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [PeriodicTask("sso-saml-metadata-refresh", "anneal_enterprise.sso.tasks.refresh_saml_metadata", 3600.0),
            PeriodicTask("sso-domain-verification", "anneal_enterprise.sso.tasks.recheck_pending_domains", 900.0)]


@hookimpl
def anneal_diagnostics() -> list[Any]:
    from core.plugins import DiagnosticCollector

    def collect() -> dict[str, Any]:
        from django.db.models import Count

        from anneal_enterprise.sso.models import IdentityProvider, ScimToken, SsoSettings

        kinds = dict(IdentityProvider.objects.values_list("kind").annotate(n=Count("pk")))
        return {"providers": kinds, "enforcing_organizations": SsoSettings.objects.filter(enforce=True).count(),
                "active_scim_tokens": ScimToken.objects.filter(revoked_at=None).count()}

    return [DiagnosticCollector("sso", "Single sign-on: providers by protocol, enforcement, SCIM tokens (counts only).",
                                collect)]


@hookimpl
def anneal_egress_destinations() -> list[Any]:
    from anneal_enterprise.sso.models import IdentityProvider
    from core.plugins import EgressDestination

    destinations = []
    for provider in IdentityProvider.objects.select_related("organization"):
        label = f"{provider.name} ({provider.get_kind_display()})"
        if provider.kind == IdentityProvider.SAML:
            addresses = [provider.idp_metadata_url] if provider.idp_metadata_url else []
        else:
            document = provider.oidc_discovery or {}
            addresses = [provider.issuer] + [document[name] for name in ("token_endpoint", "jwks_uri",
                                                                          "userinfo_endpoint") if document.get(name)]
        for address in dict.fromkeys(addresses):
            destinations.append(EgressDestination("SSO provider", label, address, provider.organization.name))
    return destinations
