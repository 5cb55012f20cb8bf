from __future__ import annotations

from datetime import datetime, time, timezone

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.models import ApiToken
from core.services import tokens
from core.services.errors import ServiceError
from core.web.views.common import report


def _expiry(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time.max, tzinfo=timezone.utc)
    except ValueError:
        raise ServiceError("Enter the expiry date as YYYY-MM-DD.", field="expires_at") from None


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    new_value = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                tokens.revoke_token(get_object_or_404(ApiToken, user=request.user, pk=request.POST.get("id")))
                messages.success(request, "Token revoked.")
                return redirect("web:tokens")
            _, new_value = tokens.create_token(request.user, request.POST.get("name", ""),
                                               _expiry(request.POST.get("expires_at", "")))
        except ServiceError as exc:
            report(request, exc)
    return render(request, "anneal/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "new_value": new_value,
    })
