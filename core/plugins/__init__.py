"""The public plugin API. Plugin authors import from here and nowhere else in ``core.plugins``.

    from core.plugins import hookimpl, NavItem

    @hookimpl
    def anneal_navigation(request, organization):
        return [NavItem("Prompts", "/plugins/prompts/")]
"""

import pluggy

from core.plugins.hookspecs import HOOK_API_VERSION, PROJECT_NAME, HookDeprecationWarning
from core.plugins.step_up import step_up_required
from core.plugins.types import (
    DiagnosticCollector,
    EgressDestination,
    EventType,
    FactorRequirement,
    Feature,
    HealthCheck,
    HealthCheckResult,
    NavItem,
    PeriodicTask,
    Refusal,
    SecondFactorType,
    SettingsSection,
    SignInMethod,
)

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "HOOK_API_VERSION",
    "DiagnosticCollector",
    "EgressDestination",
    "EventType",
    "FactorRequirement",
    "Feature",
    "HealthCheck",
    "HealthCheckResult",
    "HookDeprecationWarning",
    "NavItem",
    "PeriodicTask",
    "Refusal",
    "SecondFactorType",
    "SettingsSection",
    "SignInMethod",
    "hookimpl",
    "step_up_required",
]
