"""The signed-in person's own profile: name, password, tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.services import users
from core.services.errors import ServiceError

NAME_MAX = 150


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if len(name) > NAME_MAX:
            messages.error(request, f"The name is too long: at most {NAME_MAX} characters.")
            status = 400
        else:
            try:
                users.update_user(request.user, name=name)
            except ServiceError as exc:
                request.user.refresh_from_db()
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("web:profile")
    return render(request, "anneal/profile.html", {}, status=status)
