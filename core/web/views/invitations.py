"""Opening an invitation link: accept it signed in, or create an account from it."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.models import Invitation, User
from core.services import invitations, users
from core.services.authentication import sign_in_with_password
from core.services.errors import ServiceError
from core.web.forms import refuse
from core.web.page_forms import InvitationSignUpForm


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.find_invitation(token)
    if invitation is None:
        raise Http404("This invitation link is not valid. Ask the person who invited you for a new one.")
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    status = 200
    form = InvitationSignUpForm(initial={"email": invitation.email})
    if request.method == "POST" and invitation.status == "pending":
        if request.user.is_authenticated:
            try:
                invitations.accept(invitation, request.user)
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, f"You joined {invitation.organization.name} as {invitation.role}.")
                return redirect("web:organization", invitation.organization.slug)
        elif not has_account:
            form = InvitationSignUpForm(request.POST, initial={"email": invitation.email})
            if form.is_valid():
                error = _sign_up(request, invitation, form.cleaned_data["name"], form.cleaned_data["password1"],
                                 form.cleaned_data["password2"])
                if error is None:
                    return redirect("web:organization", invitation.organization.slug)
                refuse(form, *error)
            status = 400
    return render(request, "anneal/accept_invitation.html", {
        "invitation": invitation, "has_account": has_account, "form": form,
        "wrong_user": request.user.is_authenticated and request.user.email.lower() != invitation.email,
    }, status=status)


def _sign_up(request: HttpRequest, invitation: Invitation, name: str, password1: str,
             password2: str) -> tuple[str, str] | None:
    """Create the invited person's account, accept the invitation and sign them in; return what went wrong and
    the field it concerns, or ``None``."""
    if password1 != password2:
        return "The two passwords differ; type the same password twice.", "password2"
    try:
        with transaction.atomic():
            user = users.create_user(invitation.email, password1, name=name)
            invitations.accept(invitation, user)
    except ServiceError as exc:
        return exc.message, "password1" if exc.field in (None, "password") else exc.field
    try:
        sign_in_with_password(request, invitation.email, password1)
    except ServiceError as exc:
        messages.success(request, f"Your account is created and you joined {invitation.organization.name}.")
        messages.error(request, exc.message)
        return None
    messages.success(request, f"Welcome! You joined {invitation.organization.name} as {invitation.role}.")
    return None
