"""The staff-only System page: version, plugins and their hooks, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import __version__, outbound
from core.health import run_checks
from core.plugins import budget, failures, signing
from core.plugins import settings as plugin_settings
from core.plugins.hookspecs import HOOK_API_VERSION
from core.plugins.manager import records, require_signed
from core.web.views.common import forbidden


@login_required
def system(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "The System page is for staff accounts only; ask an administrator.")
    plugins = records()
    failed_hooks = failures.overview([p.name for p in plugins])
    checks = run_checks()
    return render(request, "anneal/system.html", {
        "version": __version__, "hook_api": HOOK_API_VERSION, "plugins": plugins, "checks": checks,
        "failed_plugins": sum(1 for p in plugins if not p.ok),
        "failed": [c for c in checks if not c.ok],
        "outbound_allow": outbound.current_allowlist().describe(),
        "slow_hooks": budget.overview(), "hook_budget_ms": budget.budget_ms(),
        "failed_hooks": failed_hooks, "degraded": failures.degraded(failed_hooks),
        "require_signed": require_signed(), "trust_dir": signing.trust_dir(),
        "with_settings": plugin_settings.plugins_with_settings("instance"),
        "mfa_required_for_staff": settings.ANNEAL_MFA_REQUIRED_FOR_STAFF,
    })
