"""The OpenID Connect discovery document: read when an admin saves a provider, stored, never
fetched by sign-in.

The issuer and every endpoint the server itself calls (token, JWKS, userinfo) go through the
outbound policy (``core.outbound``) and must be ``https://`` (plain ``http://`` only to a host
the instance admin allowlisted); they are checked again, resolved and pinned, at each connection.
"""

from __future__ import annotations

import logging

from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.provisioning import SignInRefused
from core import outbound

logger = logging.getLogger(__name__)

TIMEOUT = 10
MAX_DOCUMENT = 1024 * 1024
ENDPOINTS = ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"]
SERVER_FETCHED = ["token_endpoint", "jwks_uri", "userinfo_endpoint"]  # the browser follows the other one


class DiscoveryFailed(ValueError):
    """The issuer's discovery document could not be used; the message is safe for an org admin."""


def _outbound_reason(exc: outbound.OutboundError) -> str:
    if isinstance(exc, outbound.OutboundRefused):
        return f"it was {exc}. {exc.hint}"
    return f"the server {exc}" if isinstance(exc, outbound.OutboundUnreachable) else str(exc)


def fetch_discovery(issuer: str) -> dict[str, str]:
    """Read and check the issuer's discovery document; return the endpoints to store.

    Raises :class:`DiscoveryFailed` with a reason an organization admin may read.
    """
    try:
        outbound.validate_url(issuer, purpose="sso.oidc_discovery")
        response = outbound.get(issuer.rstrip("/") + "/.well-known/openid-configuration",
                                purpose="sso.oidc_discovery", timeout=TIMEOUT, max_redirects=3,
                                max_bytes=MAX_DOCUMENT)
    except outbound.OutboundError as exc:
        raise DiscoveryFailed(_outbound_reason(exc)) from None
    if not response.ok:
        raise DiscoveryFailed(f"its discovery document answered HTTP {response.status}")
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise DiscoveryFailed("its discovery document is not JSON")
    if document.get("issuer") != issuer:
        raise DiscoveryFailed("its discovery document names a different issuer")
    endpoints = {"issuer": issuer}
    for name in ENDPOINTS:
        value = document.get(name)
        if not value:
            if name == "userinfo_endpoint":
                continue
            raise DiscoveryFailed(f"its discovery document has no {name}")
        try:
            if name in SERVER_FETCHED:
                outbound.validate_url(str(value), purpose="sso.oidc_discovery")
            else:
                outbound.parse_url(str(value))
        except outbound.OutboundError as exc:
            raise DiscoveryFailed(f"its {name} was {exc}" if isinstance(exc, outbound.OutboundRefused)
                                  else f"its {name} is not a usable URL ({exc})") from None
        endpoints[name] = str(value)
    return endpoints


def discovery(provider: IdentityProvider) -> dict[str, str]:
    """The endpoints stored when the provider was saved; sign-in never fetches the document."""
    document = provider.oidc_discovery or {}
    if not document.get("token_endpoint"):
        raise SignInRefused("the provider's discovery document was not read yet",
                            "This identity provider is not ready: ask your admin to save it again in "
                            "Settings → SSO.")
    if document.get("issuer") != provider.issuer:
        raise SignInRefused("the discovery document names a different issuer",
                            "The identity provider's configuration does not match its issuer URL; ask your "
                            "admin to check the issuer in Settings → SSO.")
    return document


def refresh_all() -> int:
    """Read the discovery document of every enabled OIDC provider again (the periodic job).

    Picks up endpoints an IdP changed, and fills in providers saved before discovery was stored
    (after an upgrade). A failure keeps what was stored: connections are checked again anyway.
    Returns how many changed.
    """
    changed = 0
    for provider in IdentityProvider.objects.filter(kind=IdentityProvider.OIDC, enabled=True).exclude(issuer=""):
        try:
            document = fetch_discovery(provider.issuer)
        except DiscoveryFailed as exc:
            logger.warning("Could not refresh the OIDC discovery of %s: %s", provider, exc)
            continue
        if document != provider.oidc_discovery:
            IdentityProvider.objects.filter(pk=provider.pk).update(oidc_discovery=document)
            changed += 1
    return changed
