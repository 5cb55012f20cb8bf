from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.plugins import hooks
from core.services.authentication import sign_in_with_password
from core.services.errors import ServiceError


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            sign_in_with_password(request, email, request.POST.get("password", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(next_url or "web:organizations")
    return render(request, "anneal/sign_in.html", {
        "next": next_url, "email": email, "methods": hooks.sign_in_methods(request),
    })


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:sign_in")
