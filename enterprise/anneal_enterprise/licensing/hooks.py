"""The licensing package's hook implementations: the only way it reaches the core."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from anneal_enterprise.licensing import banners, issuers, product_issuer, quotas, seats, status
from anneal_enterprise.licensing.claims import FEATURES
from core.plugins import (
    DiagnosticCollector,
    EventType,
    Feature,
    NavItem,
    PeriodicTask,
    Refusal,
    UpgradeFinding,
    UpgradeTarget,
    hookimpl,
)

LICENSED = frozenset(FEATURES)


@hookimpl
def anneal_features() -> list[Feature]:
    return [
        Feature("sso", "Sign-in through an organization's identity provider (OpenID Connect, SAML).", edition="enterprise"),
        Feature("audit_log", "A tamper-evident audit log with search, export and SIEM streaming.", edition="enterprise"),
        Feature("support", "Encrypted support bundles and consented support access.", edition="enterprise"),
    ]


@hookimpl
def anneal_feature_enabled(name: str) -> bool | None:
    if name in LICENSED or issuers.is_plugin_feature(name) or product_issuer.is_product_feature(name):
        return status.grants(name)
    return None


@hookimpl
def anneal_feature_answers_valid_for() -> float:
    return status.answers_valid_for()


@hookimpl
def anneal_event_types() -> list[EventType]:
    return [
        EventType("license.installed", "A license key was installed.", "license", "notice"),
        EventType("license.replaced", "A license key replaced the one in force.", "license", "notice"),
        EventType("license.removed", "The license key was removed; the instance runs as the free edition.", "license", "warning"),
        EventType("license.refused", "A license key was refused; the license in force stayed.", "license", "warning"),
        EventType("license.expired", "The license's grace period ended; enterprise features switched off.", "license", "warning"),
        EventType("license.over_seats", "More seats are in use than the license allows.", "license", "warning"),
        EventType("license.trial_started", "An instance admin started the edition's offline trial.", "license", "notice"),
        EventType("license.trial_ended", "The trial's time ran out; its features switched off, no data was deleted.",
                  "license", "warning"),
        EventType("license.usage_report_downloaded", "An admin downloaded a signed usage report.", "license", "notice"),
    ]


QUOTA_ACTIONS = {"organization.create": "organizations", "project.create": "projects"}


@hookimpl
def anneal_action_policy(action: str, organization: Any, details: dict[str, Any]) -> Refusal | None:
    if action in QUOTA_ACTIONS:
        reason = quotas.refusal_for_new(QUOTA_ACTIONS[action])
        return Refusal(reason, code="license_quota") if reason else None
    if action == "meter.use":
        reason = quotas.refusal_for_new(f"meter:{details.get('meter', '')}", int(details.get("quantity", 1)))
        return Refusal(reason, code="license_quota") if reason else None
    if action not in ("invitation.create", "membership.create"):
        return None
    reason = seats.refusal_for_new_seat(str(details.get("email", "")), count_pending=action == "invitation.create")
    return Refusal(reason, code="license_seats") if reason else None


@hookimpl
def anneal_template_slot(slot: str, request: Any, context: dict[str, Any]) -> str | None:
    if slot == "banner":
        return banners.banner(request)
    if slot == "feature_unavailable":
        return banners.upgrade_prompt(request, str(context.get("feature", "")))
    return None


@hookimpl
def anneal_navigation(request: Any) -> list[NavItem]:
    if getattr(request.user, "is_staff", False):
        return [NavItem("License", reverse("enterprise:license"), section="admin", order=20)]
    return []


@hookimpl
def anneal_urlpatterns() -> list[Any]:
    from anneal_enterprise.licensing import views

    return views.urlpatterns


@hookimpl
def anneal_api_urlpatterns() -> list[Any]:
    from anneal_enterprise.licensing import api

    return api.urlpatterns


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [
        PeriodicTask("anneal-license-check", "anneal_licensing.check_license", 60.0),
        PeriodicTask("anneal-usage-snapshot", "anneal_licensing.take_usage_snapshot", 3600.0),
    ]


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    from anneal_enterprise.licensing.api import license_summary

    return [DiagnosticCollector("license", "The license in force: licensee, dates, seats, features (never the key).",
                                license_summary)]


@hookimpl
def anneal_upgrade_checks(target: UpgradeTarget) -> list[UpgradeFinding]:
    from anneal_enterprise.licensing import upgrade

    return upgrade.check(target)
