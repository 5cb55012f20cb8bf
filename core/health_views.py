"""``/healthz``: the process is alive. ``/readyz``: database, cache, broker and migrations."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from core import __version__
from core.health import run_checks


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "version": __version__})


def readyz(request: HttpRequest) -> JsonResponse:
    outcomes = run_checks(critical_only=True)
    failed = [o for o in outcomes if not o.ok]
    body = {
        "status": "ok" if not failed else "unavailable",
        "checks": {o.id: {"ok": o.ok, "message": o.message} for o in outcomes},
        "failed": [o.id for o in failed],
    }
    return JsonResponse(body, status=200 if not failed else 503)
