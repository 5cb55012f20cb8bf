"""The stable URLs an identity provider's admin copies, built from ``ANNEAL_BASE_URL``."""

from __future__ import annotations

from uuid import UUID

from anneal_enterprise.sso.models import IdentityProvider
from core.links import absolute_reverse


def url(name: str, *args: object) -> str:
    return absolute_reverse(name, *args)


def for_provider(provider: IdentityProvider) -> dict[str, str]:
    return for_public_id(provider.kind, provider.public_id)


def for_public_id(kind: str, public_id: UUID) -> dict[str, str]:
    """The URLs of the provider with this id, including one not saved yet (the add forms show them)."""
    if kind == IdentityProvider.OIDC:
        return {"Sign-in redirect URI": url("enterprise:sso_oidc_callback", public_id),
                "Initiate login URI": url("enterprise:sso_oidc_start", public_id)}
    return {"SP entity ID (audience)": url("enterprise:sso_saml_metadata", public_id),
            "ACS URL (reply URL)": url("enterprise:sso_saml_acs", public_id),
            "SP metadata": url("enterprise:sso_saml_metadata", public_id)}


def scim_base_url() -> str:
    return absolute_reverse("api-enterprise:scim_root").rstrip("/")
