"""Requiring that the identity provider asserted MFA for a sign-in, per provider.

OpenID Connect: the ID token's ``amr`` (RFC 8176) names ``mfa``, or two or more methods, or its
``acr`` is one of the accepted values. SAML: the assertion's ``AuthnContextClassRef`` is one of
the accepted values. The accepted values are the provider's ``mfa_values`` (one per line), or the
common multi-factor values below when it has none.
"""

from __future__ import annotations

from typing import Any

from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.provisioning import SignInRefused

#: Where the SAML handler puts the assertion's AuthnContextClassRef values among the claims.
AUTHN_CONTEXTS = "anneal:authn_context_class_refs"

DEFAULT_VALUES = frozenset({
    "https://refeds.org/profile/mfa",
    "http://schemas.microsoft.com/claims/multipleauthn",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    "phr", "phrh",  # OpenID Connect EAP ACR values: phishing-resistant (hardware-protected)
})
SINGLE_FACTOR_AMR = frozenset({"pwd", "pin"})

REFUSED = ("{org} requires that your identity provider ({provider}) confirms a second factor, and it did not "
           "for this sign-in. Sign in again and complete your provider's MFA step, or ask your administrator to "
           "turn on MFA for Anneal at the identity provider.")


def accepted_values(provider: IdentityProvider) -> frozenset[str]:
    configured = {line.strip() for line in (provider.mfa_values or "").replace(",", "\n").splitlines() if line.strip()}
    return frozenset(configured) or DEFAULT_VALUES


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def asserted(provider: IdentityProvider, claims: dict[str, Any]) -> tuple[bool, str]:
    """Whether ``claims`` show MFA, and what they showed (for the audit record)."""
    values = accepted_values(provider)
    if provider.kind == IdentityProvider.SAML:
        contexts = _as_list(claims.get(AUTHN_CONTEXTS))
        return any(c in values for c in contexts), f"AuthnContextClassRef={contexts or 'none'}"
    amr = _as_list(claims.get("amr"))
    acr = str(claims.get("acr") or "")
    shown = f"amr={amr or 'none'} acr={acr or 'none'}"
    if "mfa" in amr or acr in values:
        return True, shown
    return len(set(amr)) >= 2 and not set(amr) <= SINGLE_FACTOR_AMR, shown


def require(provider: IdentityProvider, claims: dict[str, Any]) -> None:
    """Refuse the sign-in when the provider must assert MFA and did not."""
    if not provider.require_mfa:
        return
    ok, shown = asserted(provider, claims)
    if not ok:
        raise SignInRefused(f"the identity provider asserted no MFA ({shown})",
                            REFUSED.format(org=provider.organization.name, provider=provider.name))
