"""Browser sign-in through an organization's identity provider."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from anneal_enterprise import entitlements
from anneal_enterprise.forms import show_refusal
from anneal_enterprise.sso.forms import SsoEntryForm
from anneal_enterprise.sso import oidc, routing
from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.provisioning import SignInRefused, complete_sign_in, fail, identity_from_claims

NOT_FOUND = ("No organization with single sign-on matches {entry!r}. Check the spelling, use your work email "
             "address, or sign in with your password.")


def safe_next(request: HttpRequest, candidate: str) -> str:
    return candidate if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}) else ""


def start_url(provider: IdentityProvider) -> str:
    from django.urls import reverse

    name = "enterprise:sso_oidc_start" if provider.kind == IdentityProvider.OIDC else "enterprise:sso_saml_start"
    return reverse(name, args=[provider.public_id])


@require_http_methods(["GET", "POST"])
def sso_sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for an email address or organization slug and send the person to the right IdP."""
    entry = request.POST.get("entry", "").strip()
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SsoEntryForm(initial={"entry": entry})
    context = {"form": form, "next": next_url, "providers": [],
               "unavailable": entitlements.state(entitlements.SSO) == "unavailable"}
    if request.method == "POST" and entry:
        organization = routing.organization_for(entry)
        providers = routing.providers_for(organization) if organization else []
        if not providers:
            context["form"] = form = SsoEntryForm(request.POST)
            show_refusal(form, NOT_FOUND.format(entry=entry), "entry")
        elif len(providers) == 1:
            params = {"next": next_url, "login_hint": entry if "@" in entry else ""}
            return redirect(f"{start_url(providers[0])}?{urlencode(params)}")
        else:
            context["providers"] = [(p, start_url(p)) for p in providers]
            context["organization"] = organization
    return render(request, "anneal_sso/sign_in.html", context, status=400 if context["form"].is_bound else 200)


def _provider(public_id: str, kind: str) -> IdentityProvider:
    provider = get_object_or_404(IdentityProvider.objects.select_related("organization"), public_id=public_id, kind=kind)
    return provider


def refuse(request: HttpRequest, provider: IdentityProvider | None, error: SignInRefused, email: str = "") -> HttpResponse:
    fail(request, provider, error.reason, email)
    messages.error(request, error.message)
    return redirect("enterprise:sso_sign_in")


def _usable(provider: IdentityProvider) -> None:
    if not provider.enabled:
        raise SignInRefused("the identity provider is disabled",
                            "This identity provider is disabled; ask an admin of your organization.")
    if not entitlements.is_enabled(entitlements.SSO, provider.organization):
        raise SignInRefused("the organization is not licensed for SSO",
                            "Single sign-on is not available for this organization right now; sign in with your "
                            "password.")


def oidc_start(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = _provider(public_id, IdentityProvider.OIDC)
    try:
        _usable(provider)
        url = oidc.authorization_redirect(provider, request.session, safe_next(request, request.GET.get("next", "")),
                                          request.GET.get("login_hint", ""))
    except SignInRefused as exc:
        return refuse(request, provider, exc)
    return redirect(url)


def oidc_callback(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = _provider(public_id, IdentityProvider.OIDC)
    try:
        _usable(provider)
        pending = oidc.take_pending(request.session, request.GET.get("state", ""), provider)
        if request.GET.get("error"):
            raise SignInRefused(f"the identity provider returned {request.GET['error']}: "
                                f"{request.GET.get('error_description', '')}".strip())
        code = request.GET.get("code", "")
        if not code:
            raise SignInRefused("the identity provider returned no authorization code")
        subject, claims = oidc.exchange(provider, code, pending)
        identity = identity_from_claims(provider, subject, claims)
        complete_sign_in(request, provider, identity)
    except SignInRefused as exc:
        return refuse(request, provider, exc)
    return redirect(pending.next_url or "web:organizations")


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404
