from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import __version__
from core.health import run_checks
from core.plugins.hookspecs import HOOK_API_VERSION
from core.plugins.manager import records


@staff_member_required(login_url="web:sign_in")
def system(request: HttpRequest) -> HttpResponse:
    checks = run_checks()
    return render(request, "anneal/system.html", {
        "version": __version__, "hook_api": HOOK_API_VERSION, "plugins": records(), "checks": checks,
        "failed": [c for c in checks if not c.ok],
    })
