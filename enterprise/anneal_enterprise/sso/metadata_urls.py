"""The stable URLs an identity provider's admin copies, built from ``ANNEAL_BASE_URL``."""

from __future__ import annotations

from anneal_enterprise.sso.models import IdentityProvider
from core.links import absolute_reverse


def url(name: str, *args: object) -> str:
    return absolute_reverse(name, *args)


def for_provider(provider: IdentityProvider) -> dict[str, str]:
    if provider.kind == IdentityProvider.OIDC:
        return {"Sign-in redirect URI": url("enterprise:sso_oidc_callback", provider.public_id),
                "Initiate login URI": url("enterprise:sso_oidc_start", provider.public_id)}
    return {"SP entity ID (audience)": url("enterprise:sso_saml_metadata", provider.public_id),
            "ACS URL (reply URL)": url("enterprise:sso_saml_acs", provider.public_id),
            "SP metadata": url("enterprise:sso_saml_metadata", provider.public_id)}


def scim_base_url() -> str:
    return absolute_reverse("api-enterprise:scim_root").rstrip("/")
