"""SAML 2.0 service provider on python3-saml (the library django-allauth's SAML provider wraps).

Checks on every response: strict mode (schema, Destination, Recipient, Audience = our entity
id), at least a signed response or a signed assertion from the configured IdP certificate,
``InResponseTo`` matching a request we sent (kept in the database, so no cookie is needed on
the cross-site POST), the assertion's validity window with the provider's clock skew, and each
response and assertion id accepted once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from anneal_enterprise.sso import events, metadata_urls
from anneal_enterprise.sso.models import IdentityProvider, SamlRequest, SeenAssertion
from anneal_enterprise.sso.provisioning import SignInRefused
from core import outbound
from core.events import Target, emit

TIMEOUT = 10
MAX_METADATA = 5 * 1024 * 1024
REQUEST_LIFETIME = timedelta(minutes=10)
MAX_SKEW = OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT  # python3-saml's own bound


def sp_entity_id(provider: IdentityProvider) -> str:
    return metadata_urls.url("enterprise:sso_saml_metadata", provider.public_id)


def acs_url(provider: IdentityProvider) -> str:
    return metadata_urls.url("enterprise:sso_saml_acs", provider.public_id)


def parse_idp_metadata(xml: str) -> str:
    """What is wrong with IdP metadata XML, or ``""`` when it holds an IdP descriptor."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as exc:
        return f"it cannot be read as SAML metadata ({exc.__class__.__name__})"
    if not parsed.get("idp", {}).get("singleSignOnService", {}).get("url"):
        return "it holds no IdP single sign-on service"
    return ""


def idp_settings(provider: IdentityProvider) -> dict[str, Any]:
    if not provider.idp_metadata_xml:
        raise SignInRefused("the identity provider's metadata has not been fetched yet",
                            "This identity provider is not ready: its metadata could not be read yet. Ask your "
                            "admin to check the metadata URL.")
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(provider.idp_metadata_xml)
    except Exception as exc:
        raise SignInRefused(f"the identity provider's metadata is invalid ({exc.__class__.__name__})") from None
    if "idp" not in parsed:
        raise SignInRefused("the identity provider's metadata holds no IdP descriptor")
    return parsed["idp"]


def saml_settings(provider: IdentityProvider) -> OneLogin_Saml2_Settings:
    data = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": sp_entity_id(provider),
            "assertionConsumerService": {"url": acs_url(provider), "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST},
            "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
            "x509cert": provider.sp_certificate,
            "privateKey": provider.sp_private_key,
        },
        "idp": idp_settings(provider),
        "security": {
            "authnRequestsSigned": False, "wantAssertionsSigned": False, "wantMessagesSigned": False,
            "wantNameId": True, "rejectDeprecatedAlgorithm": True, "wantAttributeStatement": False,
            "requestedAuthnContext": False,
        },
    }
    return OneLogin_Saml2_Settings(data, sp_validation_only=False)


def sp_metadata(provider: IdentityProvider) -> str:
    base = OneLogin_Saml2_Settings({
        "strict": True,
        "sp": {"entityId": sp_entity_id(provider),
               "assertionConsumerService": {"url": acs_url(provider), "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST},
               "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED, "x509cert": provider.sp_certificate},
        "security": {"wantAssertionsSigned": True},
    }, sp_validation_only=True)
    return base.get_sp_metadata().decode() if isinstance(base.get_sp_metadata(), bytes) else base.get_sp_metadata()


def request_data(path: str, post: dict[str, Any] | None = None, get: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request as python3-saml sees it, built from ANNEAL_BASE_URL (not the Host header)."""
    base = urlparse(settings.BASE_URL)
    https = base.scheme == "https"
    return {"https": "on" if https else "off", "http_host": base.hostname,
            "server_port": str(base.port or (443 if https else 80)), "script_name": path,
            "post_data": post or {}, "get_data": get or {}}


def login_redirect(provider: IdentityProvider, next_url: str) -> str:
    auth = OneLogin_Saml2_Auth(request_data(urlparse(acs_url(provider)).path), old_settings=saml_settings(provider))
    url = auth.login(return_to=next_url)
    SamlRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_LIFETIME).delete()
    SamlRequest.objects.create(request_id=auth.get_last_request_id(), provider=provider, next_url=next_url)
    return url


def _check_window(response: OneLogin_Saml2_Response, skew: int) -> None:
    now = OneLogin_Saml2_Utils.now()
    for conditions in response._query_assertion("/saml:Conditions"):
        not_before, not_after = conditions.get("NotBefore"), conditions.get("NotOnOrAfter")
        if not_before and OneLogin_Saml2_Utils.parse_SAML_to_time(not_before) > now + skew:
            raise SignInRefused("the assertion is not valid yet (check the clocks)")
        if not_after and OneLogin_Saml2_Utils.parse_SAML_to_time(not_after) + skew <= now:
            raise SignInRefused("the assertion has expired")


def _remember(provider: IdentityProvider, *ids: str | None) -> None:
    for identifier in filter(None, ids):
        try:
            with transaction.atomic():
                SeenAssertion.objects.create(provider=provider, assertion_id=identifier)
        except IntegrityError:
            raise SignInRefused("the SAML response was already used (replay)") from None


def process_response(provider: IdentityProvider, saml_response: str, relay_state: str) -> tuple[str, dict[str, Any], str]:
    """Validate a POSTed SAMLResponse; return the subject (NameID), attributes and where to go next."""
    if not saml_response:
        raise SignInRefused("no SAMLResponse was posted")
    settings_ = saml_settings(provider)
    try:
        response = OneLogin_Saml2_Response(settings_, saml_response)
        in_response_to = response.get_in_response_to()
    except Exception as exc:
        raise SignInRefused(f"the SAML response is malformed ({exc.__class__.__name__})") from None
    next_url = ""
    if in_response_to:
        pending = SamlRequest.objects.filter(request_id=in_response_to, provider=provider,
                                             created_at__gte=timezone.now() - REQUEST_LIFETIME).first()
        if pending is None:
            raise SignInRefused("the response answers no sign-in request of ours (InResponseTo unknown or used)")
        next_url = pending.next_url
        pending.delete()
    elif not provider.allow_idp_initiated:
        raise SignInRefused("IdP-initiated sign-in is not enabled for this provider",
                            "Start the sign-in from Anneal's sign-in page; this identity provider does not allow "
                            "sign-in started at the IdP.")
    data = request_data(urlparse(acs_url(provider)).path, post={"SAMLResponse": saml_response})
    try:
        response.is_valid(data, request_id=in_response_to, raise_exceptions=True)
    except (OneLogin_Saml2_ValidationError, OneLogin_Saml2_Error) as exc:
        raise SignInRefused(f"the SAML response is invalid: {exc}") from None
    except Exception as exc:
        raise SignInRefused(f"the SAML response is invalid ({exc.__class__.__name__})") from None
    _check_window(response, min(provider.clock_skew_seconds, MAX_SKEW))
    _remember(provider, response.get_id(), response.get_assertion_id())
    # IdPs name attributes by URI, OID or plain name: accept the FriendlyName too.
    raw = {**response.get_friendlyname_attributes(), **response.get_attributes()}
    attributes = {name: values[0] if len(values) == 1 and name != provider.groups_attribute else values
                  for name, values in raw.items()}
    from anneal_enterprise.sso.idp_mfa import AUTHN_CONTEXTS

    attributes[AUTHN_CONTEXTS] = list(response.get_authn_contexts())  # never an attribute of the same name
    return response.get_nameid(), attributes, next_url or relay_state


def download_metadata(url: str) -> str:
    """The IdP metadata at ``url``, through the outbound policy; raises ValueError with a safe reason.

    Up to three redirects are followed, each hop checked by the policy.
    """
    try:
        outbound.validate_url(url, purpose="sso.saml_metadata")
        response = outbound.get(url, purpose="sso.saml_metadata", timeout=TIMEOUT, max_redirects=3,
                                max_bytes=MAX_METADATA)
    except outbound.OutboundRefused as exc:
        raise ValueError(f"it was {exc}. {exc.hint}") from None
    except outbound.OutboundUnreachable as exc:
        raise ValueError(f"the server {exc}") from None
    except outbound.OutboundError as exc:
        raise ValueError(str(exc)) from None
    if not response.ok:
        raise ValueError(f"it answered HTTP {response.status}")
    xml = response.text
    try:
        if "idp" not in OneLogin_Saml2_IdPMetadataParser.parse(xml):
            raise ValueError("it holds no IdP descriptor")
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"it is not valid SAML metadata ({exc.__class__.__name__})") from None
    return xml


def fetch_metadata(provider: IdentityProvider) -> bool:
    """Fetch the IdP metadata from its URL; returns True when it changed (e.g. a rotated certificate)."""
    xml = download_metadata(provider.idp_metadata_url)
    changed = xml != provider.idp_metadata_xml
    with transaction.atomic():
        provider.idp_metadata_xml = xml
        provider.metadata_refreshed_at = timezone.now()
        provider.save(update_fields=["idp_metadata_xml", "metadata_refreshed_at"])
        if changed:
            emit(events.METADATA_REFRESHED, organization=provider.organization_id,
                 target=Target("identity_provider", str(provider.public_id), provider.name),
                 data={"url": provider.idp_metadata_url})
    return changed


def refresh_all() -> int:
    changed = 0
    for provider in IdentityProvider.objects.filter(kind=IdentityProvider.SAML, enabled=True).exclude(idp_metadata_url=""):
        try:
            changed += fetch_metadata(provider)
        except Exception:  # one unreachable IdP must not stop the others
            import logging

            logging.getLogger(__name__).warning("Could not refresh SAML metadata of %s", provider, exc_info=True)
    return changed
