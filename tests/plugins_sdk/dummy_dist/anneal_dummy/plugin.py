"""Implements EVERY hook in ``core/plugins/hookspecs.py`` and records each call.

Each implementation asks for every argument its hook offers, so a call site that stops passing
one, or passes it under another name, fails the suite. ``CALLS`` maps hook name to the keyword
arguments of each call.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.plugins import (
    DiagnosticCollector,
    EgressDestination,
    EventType,
    Feature,
    HealthCheck,
    HealthCheckResult,
    LicenseIssuer,
    Meter,
    NavItem,
    PeriodicTask,
    PluginSetting,
    SettingsSection,
    SignInMethod,
    UpgradeFinding,
    UpgradeTarget,
    hookimpl,
)

anneal_requires = ">=0.1"

CALLS: dict[str, list[dict[str, Any]]] = defaultdict(list)


def _record(hook: str, **arguments: Any) -> None:
    CALLS[hook].append(arguments)


class DummyMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        response["X-Dummy-Plugin"] = "1"
        return response


class DummyBackend:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> None:
        return None


@hookimpl
def anneal_django_apps() -> list[str]:
    _record("anneal_django_apps")
    return ["anneal_dummy"]


@hookimpl
def anneal_middleware() -> list[str]:
    _record("anneal_middleware")
    return ["anneal_dummy.plugin.DummyMiddleware"]


@hookimpl
def anneal_authentication_backends() -> list[str]:
    _record("anneal_authentication_backends")
    return ["anneal_dummy.plugin.DummyBackend"]


@hookimpl
def anneal_settings_defaults() -> dict[str, Any]:
    _record("anneal_settings_defaults")
    return {"ANNEAL_DUMMY_GREETING": "hello", "TIME_ZONE": "Pacific/Auckland"}


def dummy_page(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse("dummy page")


def dummy_api(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"dummy": True})


@hookimpl
def anneal_urlpatterns() -> list[Any]:
    from django.urls import path

    _record("anneal_urlpatterns")
    return [path("", dummy_page, name="index")]


@hookimpl
def anneal_api_urlpatterns() -> list[Any]:
    from django.urls import path

    _record("anneal_api_urlpatterns")
    return [path("ping/", dummy_api, name="ping")]


@hookimpl
def anneal_task_modules() -> list[str]:
    _record("anneal_task_modules")
    return ["anneal_dummy.tasks"]


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    _record("anneal_periodic_tasks")
    return [PeriodicTask("dummy-every-minute", "anneal_dummy.tasks.tick", 60.0)]


@hookimpl
def anneal_commands() -> dict[str, Any]:
    from anneal_dummy.command import Command

    _record("anneal_commands")
    return {"dummy-hello": Command}


@hookimpl
def anneal_sign_in_methods(request: Any) -> list[SignInMethod]:
    _record("anneal_sign_in_methods", request=request)
    return [SignInMethod("dummy", "Sign in with Dummy", "/plugins/dummy/")]


@hookimpl
def anneal_authentication_policy(user: Any, method: str, request: Any) -> None:
    _record("anneal_authentication_policy", user=user, method=method, request=request)


@hookimpl
def anneal_action_policy(action: str, actor: Any, organization: Any, details: dict[str, Any]) -> None:
    _record("anneal_action_policy", action=action, actor=actor, organization=organization, details=details)


@hookimpl
def anneal_organization_role(user: Any, organization: Any) -> None:
    _record("anneal_organization_role", user=user, organization=organization)


@hookimpl
def anneal_second_factor_types() -> list[Any]:
    _record("anneal_second_factor_types")
    return []


@hookimpl
def anneal_mfa_requirements(user: Any) -> list[Any]:
    _record("anneal_mfa_requirements", user=user)
    return []


@hookimpl
def anneal_passkey_registration(user: Any, aaguid: str, attestation_format: str) -> None:
    _record("anneal_passkey_registration", user=user, aaguid=aaguid, attestation_format=attestation_format)


@hookimpl
def anneal_event_types() -> list[EventType]:
    _record("anneal_event_types")
    return [EventType("dummy.happened", "Something happened in the dummy plugin.", "dummy")]


@hookimpl
def anneal_event(event: Any) -> None:
    _record("anneal_event", event=event)


@hookimpl
def anneal_event_committed(event: Any) -> None:
    _record("anneal_event_committed", event=event)


@hookimpl
def anneal_features() -> list[Feature]:
    _record("anneal_features")
    return [Feature("dummy_feature", "A feature only the dummy plugin knows.", default=False)]


@hookimpl
def anneal_feature_enabled(name: str, organization: Any) -> bool | None:
    _record("anneal_feature_enabled", name=name, organization=organization)
    return True if name == "dummy_feature" else None


@hookimpl
def anneal_feature_answers_valid_for() -> float | None:
    _record("anneal_feature_answers_valid_for")
    return 0.0  # the calls above are counted, so nothing is cached across requests


@hookimpl
def anneal_navigation(request: Any, organization: Any) -> list[NavItem]:
    _record("anneal_navigation", request=request, organization=organization)
    return [NavItem("Dummy entry", "/plugins/dummy/")]


@hookimpl
def anneal_settings_sections(request: Any, organization: Any) -> list[SettingsSection]:
    _record("anneal_settings_sections", request=request, organization=organization)
    return [SettingsSection("dummy", "Dummy settings", "/plugins/dummy/")]


@hookimpl
def anneal_template_slot(slot: str, request: Any, context: dict[str, Any]) -> str:
    _record("anneal_template_slot", slot=slot, request=request, context=context)
    return f"<span>dummy slot {slot}</span>"


@hookimpl
def anneal_health_checks() -> list[HealthCheck]:
    _record("anneal_health_checks")
    return [HealthCheck("dummy", "The dummy plugin is fine.", lambda: HealthCheckResult(True, "dummy ok"))]


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    _record("anneal_diagnostics")
    return [DiagnosticCollector("dummy", "Counts from the dummy plugin.", lambda: {"things": 0})]


@hookimpl
def anneal_egress_destinations() -> list[EgressDestination]:
    _record("anneal_egress_destinations")
    return [EgressDestination("Dummy", "The dummy endpoint", "https://dummy.example/hook")]


@hookimpl
def anneal_plugin_settings() -> list[PluginSetting]:
    _record("anneal_plugin_settings")
    return [PluginSetting("greeting", "Dummy greeting", default="hello"),
            PluginSetting("tone", "Dummy tone", kind="choice", choices=("warm", "dry"), scope="organization")]


@hookimpl
def anneal_upgrade_checks(target: UpgradeTarget) -> list[UpgradeFinding]:
    _record("anneal_upgrade_checks", target=target)
    return [UpgradeFinding("ok", "dummy", f"The dummy plugin is fine with Anneal {target.version}.")]


@hookimpl
def anneal_meters() -> list[Meter]:
    _record("anneal_meters")
    return [Meter("dummy.things", "thing", "Things the dummy plugin did.")]


# The public half of a throwaway key (no private half exists anywhere).
DUMMY_PUBLIC_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="


@hookimpl
def anneal_product() -> None:
    """The dummy plugin keeps Anneal's identity: it only proves the core asks."""
    _record("anneal_product")
    return None


@hookimpl
def anneal_license_issuers() -> list[LicenseIssuer]:
    _record("anneal_license_issuers")
    return [LicenseIssuer("Dummy", {"dummy-test-1": ("test", DUMMY_PUBLIC_KEY)}, ("dummy.pro",))]
