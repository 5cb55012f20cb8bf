"""OpenID Connect authorization code flow with PKCE, ``state`` and ``nonce``.

The ID token is verified here: signature against the provider's JWKS (``none`` and HMAC
algorithms refused), issuer, audience (and ``azp``), expiry, issued-at and nonce.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.oidc_discovery import discovery
from anneal_enterprise.sso.provisioning import SignInRefused
from core import outbound

TIMEOUT = 10
MAX_DOCUMENT = 1024 * 1024
ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
STATE_LIFETIME = 600
JWKS_LIFETIME = 300


@dataclass(frozen=True)
class PendingSignIn:
    """What we remember in the session between the redirect to the IdP and its callback."""

    provider_id: str
    nonce: str
    code_verifier: str
    next_url: str
    created: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def callback_url(provider: IdentityProvider) -> str:
    return settings.BASE_URL + reverse("enterprise:sso_oidc_callback", args=[provider.public_id])


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorization_redirect(provider: IdentityProvider, session: Any, next_url: str, login_hint: str = "") -> str:
    """Remember state, nonce and PKCE verifier in the session; return the IdP's authorization URL."""
    document = discovery(provider)
    state = secrets.token_urlsafe(32)
    pending = PendingSignIn(str(provider.public_id), secrets.token_urlsafe(32), secrets.token_urlsafe(64),
                            next_url, time.time())
    stored = {k: v for k, v in session.get("anneal_sso_oidc", {}).items()
              if time.time() - v["created"] < STATE_LIFETIME}
    stored[state] = pending.as_dict()
    session["anneal_sso_oidc"] = stored
    params = {
        "response_type": "code", "client_id": provider.client_id, "redirect_uri": callback_url(provider),
        "scope": provider.scopes, "state": state, "nonce": pending.nonce,
        "code_challenge": _challenge(pending.code_verifier), "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    return document["authorization_endpoint"] + "?" + urlencode(params)


def take_pending(session: Any, state: str, provider: IdentityProvider) -> PendingSignIn:
    """The sign-in that ``state`` belongs to; each state is usable once."""
    stored = session.get("anneal_sso_oidc", {})
    data = stored.pop(state, None) if state else None
    session["anneal_sso_oidc"] = stored
    if data is None or data["provider_id"] != str(provider.public_id):
        raise SignInRefused("the state parameter is unknown or was already used",
                            "This sign-in link was already used or did not start here. Start again from the "
                            "sign-in page.")
    if time.time() - data["created"] > STATE_LIFETIME:
        raise SignInRefused("the sign-in took longer than 10 minutes", "The sign-in took too long; start again.")
    return PendingSignIn(**data)


def _token_request(provider: IdentityProvider, document: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    """Trade the code at the checked token endpoint: the only place the client secret is sent."""
    try:
        response = outbound.post(document["token_endpoint"], purpose="sso.oidc_token", timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": callback_url(provider),
            "client_id": provider.client_id, "client_secret": provider.client_secret, "code_verifier": verifier,
        }, headers={"Accept": "application/json"}, max_bytes=MAX_DOCUMENT)
    except outbound.OutboundError as exc:
        raise SignInRefused(f"the token endpoint failed: {exc}") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status != 200 or "id_token" not in body:
        error = body.get("error_description") or body.get("error") or f"HTTP {response.status}"
        raise SignInRefused(f"the identity provider refused the authorization code: {error}")
    return body


def _jwks(jwks_uri: str, refresh: bool = False) -> jwt.PyJWKSet:
    key = f"anneal-sso-oidc-jwks:{jwks_uri}"
    data = None if refresh else cache.get(key)
    if data is None:
        try:
            response = outbound.get(jwks_uri, purpose="sso.oidc_jwks", timeout=TIMEOUT, max_bytes=MAX_DOCUMENT)
            data = response.json() if response.ok else None
        except (outbound.OutboundError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise SignInRefused("the provider's signing keys (JWKS) could not be read")
        cache.set(key, data, JWKS_LIFETIME)
    try:
        return jwt.PyJWKSet.from_dict(data)
    except jwt.PyJWTError:
        raise SignInRefused("the provider's signing keys (JWKS) are invalid") from None


def signing_key(jwks_uri: str, kid: str | None) -> Any:
    """The key that signed a token: by ``kid``, fetching the keys again once for a rotated key."""
    for refresh in (False, True):
        keys = _jwks(jwks_uri, refresh)
        matching = [k for k in keys.keys if kid is None or k.key_id == kid]
        if len(matching) == 1 or (matching and kid is not None):
            return matching[0]
    raise SignInRefused("no signing key of the provider matches the ID token")


def verify_id_token(provider: IdentityProvider, document: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SignInRefused("the ID token is malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ASYMMETRIC:
        raise SignInRefused(f"the ID token is not signed with an accepted algorithm (alg={algorithm!r})")
    try:
        key = signing_key(document["jwks_uri"], header.get("kid"))
        claims = jwt.decode(
            id_token, key.key, algorithms=[algorithm], audience=provider.client_id, issuer=provider.issuer,
            leeway=provider.clock_skew_seconds, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.InvalidAudienceError:
        raise SignInRefused("the ID token was issued for another client (wrong audience)") from None
    except jwt.InvalidIssuerError:
        raise SignInRefused("the ID token comes from another issuer (wrong issuer)") from None
    except jwt.ExpiredSignatureError:
        raise SignInRefused("the ID token has expired") from None
    except jwt.InvalidSignatureError:
        raise SignInRefused("the ID token signature is invalid") from None
    except jwt.PyJWTError as exc:
        raise SignInRefused(f"the ID token is invalid ({exc})") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInRefused("the ID token names several audiences and another authorized party")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("the ID token's nonce does not match this sign-in")
    return claims


def _userinfo(document: dict[str, Any], access_token: str | None, subject: str) -> dict[str, Any]:
    if not access_token or not document.get("userinfo_endpoint"):
        return {}
    try:
        response = outbound.get(document["userinfo_endpoint"], purpose="sso.oidc_userinfo", timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {access_token}"}, max_bytes=MAX_DOCUMENT)
        info = response.json() if response.status == 200 else {}
    except (outbound.OutboundError, ValueError):
        return {}
    return info if isinstance(info, dict) and info.get("sub") == subject else {}


def stable_subject(claims: dict[str, Any]) -> str:
    """``sub``, or for Microsoft Entra ID the tenant id + object id (``tid``/``oid``)."""
    if claims.get("tid") and claims.get("oid"):
        return f"{claims['tid']}/{claims['oid']}"
    return str(claims["sub"])


def exchange(provider: IdentityProvider, code: str, pending: PendingSignIn) -> tuple[str, dict[str, Any]]:
    """Trade the code for tokens, verify the ID token, return the subject and the claims."""
    document = discovery(provider)
    tokens = _token_request(provider, document, code, pending.code_verifier)
    claims = verify_id_token(provider, document, tokens["id_token"], pending.nonce)
    merged = {**_userinfo(document, tokens.get("access_token"), claims["sub"]), **claims}
    return stable_subject(claims), merged

