"""Browser endpoints of the SAML service provider."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from anneal_enterprise.sso import saml
from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.provisioning import SignInRefused, complete_sign_in, identity_from_claims
from anneal_enterprise.sso.views import _usable, refuse, safe_next


def _provider(public_id: str) -> IdentityProvider:
    return get_object_or_404(IdentityProvider.objects.select_related("organization"), public_id=public_id,
                             kind=IdentityProvider.SAML)


def saml_start(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = _provider(public_id)
    try:
        _usable(provider)
        url = saml.login_redirect(provider, safe_next(request, request.GET.get("next", "")))
    except SignInRefused as exc:
        return refuse(request, provider, exc)
    return redirect(url)


@csrf_exempt  # the IdP posts here cross-site; the signed response, not a cookie, is the proof
@require_POST
def saml_acs(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = _provider(public_id)
    try:
        _usable(provider)
        subject, attributes, next_url = saml.process_response(
            provider, request.POST.get("SAMLResponse", ""), request.POST.get("RelayState", ""))
        if not subject:
            raise SignInRefused("the SAML assertion has no NameID")
        complete_sign_in(request, provider, identity_from_claims(provider, subject, attributes))
    except SignInRefused as exc:
        return refuse(request, provider, exc)
    return redirect(safe_next(request, next_url) or "web:organizations")


def saml_metadata(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = _provider(public_id)
    return HttpResponse(saml.sp_metadata(provider), content_type="application/samlmetadata+xml")
