"""The typed facade through which the core calls every hook.

Core code calls these functions, never ``plugin_manager.hook`` directly, so a misspelled
keyword is a type error here rather than a silent ``None`` at run time.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

from core.plugins import enablement, failures, manager
from core.plugins.calling import Contribution, call_each, call_propagating, collect, has_implementations
from core.plugins.types import (
    DiagnosticCollector,
    EgressDestination,
    EventType,
    FactorRequirement,
    Feature,
    HealthCheck,
    LicenseIssuer,
    Meter,
    NavItem,
    PeriodicTask,
    PluginSetting,
    Product,
    Refusal,
    SecondFactorType,
    SettingsSection,
    SignInMethod,
    UpgradeFinding,
    UpgradeTarget,
)

logger = logging.getLogger("anneal.plugins")

if TYPE_CHECKING:
    from django.http import HttpRequest

    from core.events.types import Actor, Event
    from core.models import Organization, User


def _settings_stage_results(name: str) -> list[tuple[str, Any]]:
    """Each plugin's answer to settings-stage hook ``name``; a plugin that raises is marked failed."""
    results: list[tuple[str, Any]] = []
    for contribution in call_each(name):
        if contribution.error is not None:
            manager.mark_failed(contribution.plugin, contribution.error)
            continue
        results.append((contribution.plugin, contribution.result))
    return results


def _settings_stage(name: str) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for plugin, result in _settings_stage_results(name):
        items.extend((plugin, x) for x in (result.items() if isinstance(result, dict) else result))
    failed = {r.name for r in manager.records() if not r.ok}
    return [(plugin, item) for plugin, item in items if plugin not in failed]


def django_apps() -> list[str]:
    return [app for _, app in _settings_stage("anneal_django_apps")]


def middleware() -> list[str]:
    return [path for _, path in _settings_stage("anneal_middleware")]


def authentication_backends() -> list[str]:
    return [path for _, path in _settings_stage("anneal_authentication_backends")]


def settings_defaults() -> dict[str, Any]:
    return dict(pair for _, pair in _settings_stage("anneal_settings_defaults"))


def _grouped(name: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for plugin, item in collect(name):
        grouped[plugin].append(item)
    return dict(grouped)


def _patterns_in(module_path: str) -> list[Any]:
    module = importlib.import_module(module_path)
    patterns = getattr(module, "urlpatterns", None)
    if patterns is None:
        raise LookupError(f"The module {module_path} has no urlpatterns list.")
    return list(patterns)


def _url_patterns(name: str) -> dict[str, list[Any]]:
    """Each plugin's patterns: returned as a list, or as module paths whose ``urlpatterns`` are read.

    A module that fails to import, or has no ``urlpatterns``, is that plugin's failure alone: its
    routes are left out, the error is logged and counted (the plugin shows as degraded).
    """
    grouped: dict[str, list[Any]] = defaultdict(list)
    for contribution in call_each(name):
        if contribution.error is not None:
            continue
        result = contribution.result
        for item in [result] if isinstance(result, str) else result:
            if not isinstance(item, str):
                grouped[contribution.plugin].append(item)
                continue
            try:
                grouped[contribution.plugin].extend(_patterns_in(item))
            except Exception as exc:
                logger.exception("Plugin %s failed in hook %s: cannot read the URL patterns of %s",
                                  contribution.plugin, name, item)
                failures.record_failure(contribution.plugin, name, exc)
    return dict(grouped)


def urlpatterns() -> dict[str, list[Any]]:
    """Each plugin's web URL patterns, keyed by plugin name."""
    return _url_patterns("anneal_urlpatterns")


def api_urlpatterns() -> dict[str, list[Any]]:
    """Each plugin's API URL patterns, keyed by plugin name."""
    return _url_patterns("anneal_api_urlpatterns")


def task_modules() -> list[str]:
    return [module for _, module in collect("anneal_task_modules")]


def periodic_tasks() -> list[PeriodicTask]:
    return [task for _, task in collect("anneal_periodic_tasks")]


def plugin_settings() -> list[tuple[str, PluginSetting]]:
    """Every plugin's declared settings, as ``(plugin, setting)``."""
    return collect("anneal_plugin_settings")


def periodic_tasks_by_plugin() -> list[tuple[str, PeriodicTask]]:
    return collect("anneal_periodic_tasks")


def commands() -> dict[str, Any]:
    return dict(pair for _, pair in collect("anneal_commands"))


def sign_in_methods(request: HttpRequest) -> list[SignInMethod]:
    return [method for _, method in collect("anneal_sign_in_methods", request=request)]


def _first_refusal(results: list[Refusal | None]) -> Refusal | None:
    return next((r for r in results if r is not None), None)


def authentication_policy(
    user: User, method: Literal["password", "passkey", "token", "session"], request: HttpRequest | None
) -> Refusal | None:
    if not has_implementations("anneal_authentication_policy"):
        return None
    return _first_refusal(
        call_propagating("anneal_authentication_policy", user=user, method=method, request=request)
    )


def second_factor_types() -> list[SecondFactorType]:
    """Every registered factor type, ordered; a failing implementation propagates (fails closed)."""
    if not has_implementations("anneal_second_factor_types"):
        return []
    types = [item for result in call_propagating("anneal_second_factor_types") for item in result]
    return sorted(types, key=lambda t: (t.order, t.id))


def mfa_requirements(user: User) -> list[FactorRequirement]:
    if not has_implementations("anneal_mfa_requirements"):
        return []
    return [item for result in call_propagating("anneal_mfa_requirements", user=user) for item in result]


def passkey_registration(user: User, aaguid: str, attestation_format: str) -> Refusal | None:
    if not has_implementations("anneal_passkey_registration"):
        return None
    return _first_refusal(call_propagating("anneal_passkey_registration", user=user, aaguid=aaguid,
                                           attestation_format=attestation_format))


def action_policy(
    action: str, actor: Actor, organization: Organization | None, details: dict[str, Any]
) -> Refusal | None:
    if not has_implementations("anneal_action_policy"):
        return None
    return _first_refusal(
        call_propagating(
            "anneal_action_policy", action=action, actor=actor, organization=organization, details=details
        )
    )


def organization_role(user: User, organization: Organization) -> str | None:
    if not has_implementations("anneal_organization_role"):
        return None
    return call_propagating("anneal_organization_role", user=user, organization=organization)


def event_types() -> list[tuple[str, EventType]]:
    return collect("anneal_event_types")


def event(event: Event) -> None:
    if has_implementations("anneal_event"):
        call_propagating("anneal_event", skip=enablement.off_for(event.organization_id), event=event)


def event_committed(event: Event) -> list[Contribution]:
    return call_each("anneal_event_committed", skip=enablement.off_for(event.organization_id), event=event)


def features() -> list[tuple[str, Feature]]:
    return collect("anneal_features")


def feature_enabled(name: str, organization: Organization | None) -> bool | None:
    if not has_implementations("anneal_feature_enabled"):
        return None
    return call_propagating("anneal_feature_enabled", name=name, organization=organization)


def navigation(request: HttpRequest, organization: Organization | None) -> list[NavItem]:
    return [item for _, item in collect("anneal_navigation", skip=enablement.off_for(organization),
                                        request=request, organization=organization)]


def settings_sections(request: HttpRequest, organization: Organization) -> list[SettingsSection]:
    return [s for _, s in collect("anneal_settings_sections", skip=enablement.off_for(organization),
                                  request=request, organization=organization)]


def template_slot(slot: str, request: HttpRequest, context: dict[str, Any]) -> list[Contribution]:
    organization = context.get("organization") or getattr(request, "organization", None)
    return call_each("anneal_template_slot", skip=enablement.off_for(organization), slot=slot, request=request,
                     context=context)


def health_checks() -> list[tuple[str, HealthCheck]]:
    return collect("anneal_health_checks")


def diagnostics() -> list[tuple[str, DiagnosticCollector]]:
    return collect("anneal_diagnostics")


def egress_destinations() -> list[tuple[str, EgressDestination]]:
    return collect("anneal_egress_destinations")


def upgrade_checks(target: UpgradeTarget) -> list[UpgradeFinding]:
    """Every plugin's findings; a plugin whose check raised gets a blocker naming it."""
    findings: list[UpgradeFinding] = []
    for contribution in call_each("anneal_upgrade_checks", target=target):
        if contribution.error is not None:
            findings.append(UpgradeFinding(
                "blocker", "plugins",
                f"The upgrade check of plugin {contribution.plugin} failed ({type(contribution.error).__name__}: "
                f"{contribution.error}), so what it checks is unknown. Fix or disable the plugin, then check again.",
            ))
            continue
        for finding in contribution.result:
            if isinstance(finding, UpgradeFinding):
                findings.append(finding)
    return findings


def meters() -> list[tuple[str, Meter]]:
    return collect("anneal_meters")


def products() -> list[tuple[str, Product]]:
    """Every ``(plugin, product)`` declared, by plugin name (settings stage: failures are isolated)."""
    return sorted(
        ((plugin, product) for plugin, product in _settings_stage_results("anneal_product") if product is not None),
        key=lambda pair: pair[0],
    )


def license_issuers() -> list[tuple[str, LicenseIssuer]]:
    return collect("anneal_license_issuers")
