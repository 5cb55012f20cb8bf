"""A person's own second factors: authenticator app, passkeys, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.mfa import enforcement, factors, passkeys, recovery, session, sign_in, totp
from core.models import Passkey
from core.plugins import step_up_required
from core.services.errors import ServiceError
from core.web.mfa_forms import PasskeyNameForm, TotpCodeForm

CORE_TYPES = frozenset({"totp", "passkey", "recovery_code"})


def _drop_orphaned_recovery_codes(user: object) -> None:
    """Recovery codes back up another factor; with none left they would be a factor of their own."""
    if not factors.has_second_factor(user):
        recovery.delete_all(user)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = enforcement.decide(user)
    return render(request, "anneal/security.html", {
        "totp_enrolled": totp.is_enrolled(user),
        "passkeys": Passkey.objects.filter(user=user),
        "recovery_remaining": recovery.remaining(user),
        "has_second_factor": factors.has_second_factor(user),
        "other_types": [t for t in factors.types() if t.id not in CORE_TYPES],
        "decision": decision, "acceptable": decision.acceptable_types(),
        "upcoming": [(rule, enforcement.has_accepted_factor(rule, user)) for rule in decision.upcoming],
        "enrollment_only": session.enrollment_only(request),
        "factors_used": session.factors_used(request),
        "passkey_form": PasskeyNameForm(),
    })


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if totp.is_enrolled(user):
        messages.info(request, "Your authenticator app is already set up.")
        return redirect("web:security")
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        return _confirm_totp(request, form)
    authenticator = totp.pending(user) or totp.start_enrollment(user)
    response = render(request, "anneal/totp_setup.html", {
        "form": form, "qr_svg": totp.qr_svg(authenticator), "secret": totp.quoted_secret(authenticator),
    }, status=status)
    response["Cache-Control"] = "no-store"
    return response


@step_up_required
def _confirm_totp(request: HttpRequest, form: TotpCodeForm) -> HttpResponse:
    authenticator = totp.pending(request.user)
    if authenticator is None:
        return redirect("web:totp_setup")
    if form.is_valid():
        try:
            totp.confirm_enrollment(request.user, form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            session.record_second_factor(request, "totp")
            sign_in.recheck_enrollment(request, "totp")
            if not recovery.is_enrolled(request.user):
                return _show_recovery_codes(request, recovery.generate(request.user), first=True)
            messages.success(request, "Your authenticator app is set up. Sign-ins now ask for a code.")
            return redirect("web:security")
    response = render(request, "anneal/totp_setup.html", {
        "form": form, "qr_svg": totp.qr_svg(authenticator), "secret": totp.quoted_secret(authenticator),
    }, status=400)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@step_up_required
def totp_remove(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        removed = totp.remove(request.user)
        _drop_orphaned_recovery_codes(request.user)
    if removed:
        messages.success(request, "Your authenticator app is removed.")
    return redirect("web:security")


@require_POST
@login_required
def passkey_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.registration_options(request, request.user), content_type="application/json")


@require_POST
@login_required
@step_up_required
def passkey_register(request: HttpRequest) -> HttpResponse:
    form = PasskeyNameForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        passkeys.complete_registration(request, request.user, request.POST.get("credential", ""), name)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:security")
    session.record_second_factor(request, "passkey")
    sign_in.recheck_enrollment(request, "passkey")
    if not recovery.is_enrolled(request.user):
        return _show_recovery_codes(request, recovery.generate(request.user), first=True)
    messages.success(request, f"The passkey {name or 'Passkey'} is added.")
    return redirect("web:security")


@require_POST
@login_required
@step_up_required
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    passkey = Passkey.objects.filter(user=request.user, pk=passkey_id).first()
    if passkey is None:
        raise Http404("No such passkey among yours.")
    with transaction.atomic():
        passkeys.remove(passkey)
        _drop_orphaned_recovery_codes(request.user)
    messages.success(request, f"The passkey {passkey.name} is removed.")
    return redirect("web:security")


def _show_recovery_codes(request: HttpRequest, codes: list[str], first: bool = False) -> HttpResponse:
    response = render(request, "anneal/recovery_codes.html", {"codes": codes, "first": first})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@step_up_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not factors.has_second_factor(request.user):
        messages.error(request, "Set up an authenticator app or a passkey first; recovery codes back them up.")
        return redirect("web:security")
    return _show_recovery_codes(request, recovery.generate(request.user))
