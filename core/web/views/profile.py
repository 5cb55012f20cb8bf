"""The signed-in person's own profile: name, password, tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.models import User
from core.plugins import step_up_required
from core.services import users
from core.services.errors import ServiceError
from core.web.page_forms import ChangeEmailForm, ProfileNameForm

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
    return render(request, "anneal/profile.html", {
        "form": ProfileNameForm(initial={"name": request.POST.get("name", "") if status == 400 else request.user.name}),
        "email_form": ChangeEmailForm(),
    }, status=status)


@require_POST
@login_required
@step_up_required
def change_email(request: HttpRequest) -> HttpResponse:
    """A new sign-in email address: sensitive (password resets go there), so it asks for a step-up."""
    email = request.POST.get("email", "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        messages.error(request, "Enter a valid email address.")
        return redirect("web:profile")
    if email == request.user.email:
        messages.info(request, "That is already your email address.")
        return redirect("web:profile")
    if User.objects.filter(email=email).exists():
        messages.error(request, f"Another account already uses {email}.")
        return redirect("web:profile")
    try:
        users.update_user(request.user, email=email)
    except ServiceError as exc:
        request.user.refresh_from_db()
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Your email address is now {email}.")
    return redirect("web:profile")
