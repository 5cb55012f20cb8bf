"""Personal API tokens: created and shown once, listed with expiry and last use, revoked."""

from __future__ import annotations

from datetime import datetime, time, timezone

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.models import ApiToken
from core.plugins import step_up_required
from core.services import tokens
from core.services.errors import ServiceError
from core.web.paging import keyset_page
from core.web.page_forms import TokenForm

NAME_MAX = 100
TOKEN_ORDER = ("-created_at", "-id")  # newest first, revoked ones too (marked); index apitoken_user_created


def parse_expiry(value: str) -> datetime | None:
    """The end of day ``value`` (``YYYY-MM-DD``) in UTC, or ``None`` for a token that never expires."""
    value = value.strip()
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ServiceError("Enter the expiry date as YYYY-MM-DD, or leave it empty for no expiry.",
                           field="expires_at") from None
    return datetime.combine(day, time.max, tzinfo=timezone.utc)


@login_required
@step_up_required
def token_list(request: HttpRequest) -> HttpResponse:
    new_token, new_value, status = None, None, 200
    form = {"name": "", "expires_at": ""}
    if request.method == "POST":
        form = {"name": request.POST.get("name", "").strip(), "expires_at": request.POST.get("expires_at", "")}
        try:
            if len(form["name"]) > NAME_MAX:
                raise ServiceError(f"The name is too long: at most {NAME_MAX} characters.", field="name")
            new_token, new_value = tokens.create_token(request.user, form["name"], parse_expiry(form["expires_at"]))
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            form = {"name": "", "expires_at": ""}
    response = render(request, "anneal/tokens.html", {
        "tokens": keyset_page(request, ApiToken.objects.filter(user=request.user), TOKEN_ORDER, label="Token pages"),
        "new_token": new_token, "new_value": new_value, "form": TokenForm(initial=form),
    }, status=status)
    if new_value:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token among yours.")
    if token.revoked_at is not None:
        messages.info(request, f"The token {token.name} was already revoked.")
    else:
        tokens.revoke_token(token)
        messages.success(request, f"Revoked the token {token.name}. Clients using it are refused from now on.")
    return redirect("web:tokens")
