"""SSO's server-side fetches go through the outbound policy (SSRF), tested with loopback listeners.

The attacker is an organization admin who points the SAML metadata URL or the OIDC issuer at
an internal address, or an anonymous visitor who opens an OIDC start URL.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anneal_enterprise.sso import config, oidc
from anneal_enterprise.sso.models import IdentityProvider
from anneal_enterprise.sso.oidc import PendingSignIn
from anneal_enterprise.sso.provisioning import SignInRefused
from core.services.errors import ServiceError
from core.testing.listeners import closed_port, http_listener, stop, url_of

pytestmark = pytest.mark.django_db
REFUSED = "refused by the outbound policy"


@pytest.fixture
def internal():
    """An internal service on 127.0.0.1 that must never be reached."""
    server = http_listener("127.0.0.1", body=b"<EntityDescriptor>internal</EntityDescriptor>")
    yield server
    stop(server)


@pytest.fixture
def issuer_server():
    """An OIDC issuer on 127.0.0.2 (the address the tests allowlist) serving a discovery document."""
    server = http_listener("127.0.0.2")
    yield server
    stop(server)


def serve_discovery(server, **overrides):
    issuer = url_of(server)
    document = {"issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
                "jwks_uri": issuer + "/jwks", "userinfo_endpoint": issuer + "/me", **overrides}
    server.routes["/.well-known/openid-configuration"] = (200, {"Content-Type": "application/json"},
                                                          json.dumps(document).encode())
    return issuer


def error_of(organization, kind, **fields) -> str:
    with pytest.raises(ServiceError) as refused:
        config.create_provider(organization, kind, name="IdP", **fields)
    return str(refused.value)


def test_a_saml_metadata_url_on_loopback_is_refused_the_same_way_for_open_and_closed_ports(
        sso_licensed, make_organization, internal):
    organization = make_organization()
    open_port = error_of(organization, "saml", idp_metadata_url=url_of(internal, "/metadata"))
    closed = error_of(organization, "saml", idp_metadata_url=f"http://127.0.0.1:{closed_port()}/metadata")
    assert REFUSED in open_port and open_port == closed
    assert internal.connections == 0


def test_a_saml_metadata_url_redirecting_to_loopback_is_refused(sso_licensed, make_organization, internal,
                                                                issuer_server, outbound_allow):
    outbound_allow("127.0.0.2")
    issuer_server.routes["/metadata"] = (302, {"Location": url_of(internal, "/metadata")}, b"")
    message = error_of(make_organization(), "saml", idp_metadata_url=url_of(issuer_server, "/metadata"))
    assert REFUSED in message
    assert issuer_server.connections == 1 and internal.connections == 0


@pytest.mark.parametrize("issuer", ["http://169.254.169.254/", "https://169.254.10.1/realms/x",
                                    "https://[::ffff:169.254.169.254]/", "https://[::ffff:127.0.0.1]:8443/",
                                    "https://0.0.0.0/", "https://10.0.0.8/"])
def test_an_oidc_issuer_on_a_link_local_loopback_or_private_address_is_refused(sso_licensed, make_organization,
                                                                                issuer):
    message = error_of(make_organization(), "oidc", issuer=issuer, client_id="x")
    assert REFUSED in message and "instance administrator" in message


def test_an_oidc_issuer_on_loopback_is_refused_without_connecting(sso_licensed, make_organization, internal):
    message = error_of(make_organization(), "oidc", issuer=url_of(internal), client_id="x")
    assert REFUSED in message and internal.connections == 0


def test_a_discovery_document_whose_token_endpoint_is_loopback_is_refused(sso_licensed, make_organization,
                                                                          internal, issuer_server, outbound_allow):
    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server, token_endpoint=url_of(internal, "/token"))
    message = error_of(make_organization(), "oidc", issuer=issuer, client_id="x", client_secret="the-secret")
    assert "token_endpoint was refused by the outbound policy" in message
    assert internal.connections == 0


def test_an_allowlisted_private_issuer_is_accepted_and_its_endpoints_stored(sso_licensed, make_organization,
                                                                            issuer_server, outbound_allow):
    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server)
    provider = config.create_provider(make_organization(), "oidc", name="IdP", issuer=issuer, client_id="x")
    assert provider.oidc_discovery["token_endpoint"] == issuer + "/token"
    assert issuer_server.connections == 1


def test_an_unauthenticated_start_makes_no_connection(sso_licensed, make_organization, issuer_server,
                                                      outbound_allow, client):
    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server)
    provider = config.create_provider(make_organization(), "oidc", name="IdP", issuer=issuer, client_id="x")
    before = issuer_server.connections
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response.status_code == 302 and response["Location"].startswith(issuer + "/auth?")
    assert issuer_server.connections == before


def test_an_unauthenticated_start_of_a_provider_never_discovered_does_not_fetch(sso_licensed, make_organization,
                                                                                internal, client, captured_events):
    provider = IdentityProvider.objects.create(organization=make_organization(), kind="oidc", name="IdP",
                                               issuer=url_of(internal), client_id="x")
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert internal.connections == 0
    failure = [e for e in captured_events if e.type == "sso.sign_in_failed"][-1]
    assert "not read yet" in failure.data["reason"]


def test_the_client_secret_goes_only_to_a_token_endpoint_the_policy_allows(sso_licensed, make_organization,
                                                                           internal, issuer_server, outbound_allow):
    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server)
    provider = config.create_provider(make_organization(), "oidc", name="IdP", issuer=issuer, client_id="x",
                                      client_secret="the-secret")
    # The stored endpoints are tampered with (or the instance admin removed the allowlist entry):
    # the token endpoint is checked again at connection time.
    IdentityProvider.objects.filter(pk=provider.pk).update(
        oidc_discovery={**provider.oidc_discovery, "token_endpoint": url_of(internal, "/token")})
    provider.refresh_from_db()
    pending = PendingSignIn(str(provider.public_id), "nonce", "verifier", "", 0.0)
    with pytest.raises(SignInRefused, match=REFUSED):
        oidc.exchange(provider, "code", pending)
    assert internal.connections == 0


def test_the_egress_ledger_lists_each_provider_with_its_last_contact(sso_licensed, make_organization, make_user,
                                                                    web_client_for, issuer_server, outbound_allow):
    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server)
    organization = make_organization(name="Acme SSO")
    config.create_provider(organization, "oidc", name="Corp IdP", issuer=issuer, client_id="x")
    page = web_client_for(make_user(is_staff=True)).get(reverse("web:egress_ledger")).content.decode()
    row = page[page.index(f'data-address="{issuer}"'):].split("</tr>", 1)[0]
    assert "Corp IdP (OpenID Connect)" in row and "Acme SSO" in row and "<time" in row
    assert f'data-address="{issuer}/token"' in page


def test_a_provider_saved_before_discovery_was_stored_is_filled_in_by_the_periodic_refresh(
        sso_licensed, make_organization, issuer_server, outbound_allow, client):
    from anneal_enterprise.sso.tasks import refresh_saml_metadata

    outbound_allow("127.0.0.2")
    issuer = serve_discovery(issuer_server)
    provider = IdentityProvider.objects.create(organization=make_organization(), kind="oidc", name="IdP",
                                               issuer=issuer, client_id="x")  # as left by the upgrade
    assert refresh_saml_metadata() == 1
    provider.refresh_from_db()
    assert provider.oidc_discovery["token_endpoint"] == issuer + "/token"
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response["Location"].startswith(issuer + "/auth?")
