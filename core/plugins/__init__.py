"""The public plugin API. Plugin authors import from here and nowhere else in ``core.plugins``.

    from core.plugins import hookimpl, NavItem

    @hookimpl
    def anneal_navigation(request, organization):
        return [NavItem("Prompts", "/plugins/prompts/")]
"""

import pluggy

from core.metering import record as record_usage

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
    LicenseIssuer,
    Meter,
    NavItem,
    PeriodicTask,
    PluginSetting,
    Product,
    ProductLicensing,
    Refusal,
    SecondFactorType,
    SettingsSection,
    SignInMethod,
    TrialOffer,
    UpgradeFinding,
    UpgradeTarget,
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
    "LicenseIssuer",
    "Meter",
    "NavItem",
    "PeriodicTask",
    "PluginSetting",
    "Product",
    "ProductLicensing",
    "Refusal",
    "SecondFactorType",
    "SettingsSection",
    "SignInMethod",
    "TrialOffer",
    "UpgradeFinding",
    "UpgradeTarget",
    "hookimpl",
    "record_usage",
    "step_up_required",
]
