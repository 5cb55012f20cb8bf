"""Fixtures for the SSO tests: a licensed-SSO plugin and a real OpenID Connect provider."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.test import Client

from core.plugins import hookimpl

IDP_DIR = Path(__file__).resolve().parents[3] / "tests" / "idp"


class SsoLicensed:
    """Stands in for a license that grants the ``sso`` feature to every organization."""

    @hookimpl
    def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
        return True if name == "sso" else None


def mark_domain_verified(domain: Any) -> Any:
    """TEST-ONLY: mark an email domain verified without a DNS lookup, for tests about routing or linking.

    Production code verifies a domain only through ``config.verify_domain`` (its DNS TXT record); the
    verification itself is tested against a real DNS server in ``test_domain_verification.py``.
    """
    from django.utils import timezone

    domain.verified_at = timezone.now()
    domain.save(update_fields=["verified_at"])
    return domain


def add_verified_domain(organization: Any, name: str) -> Any:
    """TEST-ONLY: ``config.add_domain`` then ``mark_domain_verified``."""
    from anneal_enterprise.sso import config

    return mark_domain_verified(config.add_domain(organization, name))


@pytest.fixture
def dns_server(settings: Any) -> Iterator[Any]:
    """A real DNS server on 127.0.0.1 and a free UDP port, configured as the SSO resolver."""
    from .dns_server import LocalDnsServer

    server = LocalDnsServer()
    settings.ANNEAL_SSO_DNS_NAMESERVERS = [server.nameserver]
    settings.ANNEAL_SSO_DNS_TIMEOUT = 3
    yield server
    server.stop()


@pytest.fixture
def sso_licensed(anneal_plugin: Callable[..., Any]) -> None:
    anneal_plugin(SsoLicensed(), name="sso-licensed")


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user(email="owner@example.com")


@pytest.fixture
def organization(sso_licensed: None, make_organization: Callable[..., Any], owner: Any) -> Any:
    """Acme, licensed for SSO, whose only member is ``owner``."""
    return make_organization(name="Acme", owner=owner)


@pytest.fixture
def owner_client(owner: Any) -> Client:
    """Signed in as Acme's owner (not pytest-django's ``admin_client``, a superuser of no organization)."""
    client = Client()
    client.force_login(owner)
    return client


class OidcIdp:
    """A running ``oidc-provider`` process and helpers to drive it like a person would."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        response = requests.post(f"{self.issuer}/reg", timeout=10, json={
            "redirect_uris": [redirect_uri], "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_post",
        })
        response.raise_for_status()
        body = response.json()
        return body["client_id"], body["client_secret"]

    def set_account(self, subject: str, **claims: Any) -> None:
        requests.post(f"{self.issuer}/__test/accounts", json={subject: claims}, timeout=10).raise_for_status()

    def tamper_next_id_token(self, mode: str) -> None:
        requests.post(f"{self.issuer}/__test/tamper", json={"mode": mode}, timeout=10).raise_for_status()

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Follow the IdP's pages as a browser would, sign in as ``login``; return our callback URL."""
        session = requests.Session()
        url = authorization_url
        for _ in range(10):
            response = session.get(url, allow_redirects=False, timeout=10)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, response.text[:500]
            response = session.post(urljoin(url, action.group(1)), allow_redirects=False, timeout=10,
                                    data={"prompt": "login", "login": login, "password": "any"})
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the identity provider never redirected back")


@pytest.fixture(scope="session")
def oidc_idp() -> Iterator[OidcIdp]:
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail("The test OpenID Connect provider is not installed: run `./dev test` (it runs npm ci in tests/idp).")
    process = subprocess.Popen([node, "oidc_server.mjs"], cwd=IDP_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env={**os.environ, "NODE_ENV": "test"})
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            pytest.fail("The test OpenID Connect provider did not start.")
        yield OidcIdp(json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc_provider(sso_licensed: None, oidc_idp: OidcIdp, make_organization: Callable[..., Any],
                  settings: Any, outbound_allow: Callable[..., None]) -> Callable[..., Any]:
    """``oidc_provider(organization=None, **fields)``: an IdentityProvider registered at the real IdP.

    The IdP runs on 127.0.0.1, which the outbound policy refuses unless allowlisted: this
    fixture allowlists it, as an instance admin would allowlist an internal IdP.
    """
    outbound_allow("127.0.0.1")
    from anneal_enterprise.sso import config
    from anneal_enterprise.sso.models import IdentityProvider

    def make(organization: Any = None, **fields: Any) -> IdentityProvider:
        organization = organization or make_organization()
        public_id = uuid.uuid4()
        redirect_uri = f"{settings.BASE_URL}/plugins/enterprise/sso/oidc/{public_id}/callback/"
        client_id, client_secret = oidc_idp.register_client(redirect_uri)
        fields = {"name": "Test IdP", "issuer": oidc_idp.issuer, "client_id": client_id,
                  "client_secret": client_secret, "scopes": "openid email profile groups", **fields}
        provider = config.create_provider(organization, "oidc", **fields)
        IdentityProvider.objects.filter(pk=provider.pk).update(public_id=public_id)
        provider.refresh_from_db()
        return provider

    return make


def callback_path(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.fixture
def saml_idp(tmp_path: Path) -> Iterator[Any]:
    from .saml_idp import SamlIdp

    if shutil.which("xmlsec1") is None:
        pytest.fail("pysaml2 needs Debian's xmlsec1 program: `./dev test` installs it (apt-get install xmlsec1).")
    idp = SamlIdp(tmp_path)
    yield idp
    idp.stop()


@pytest.fixture
def saml_provider(sso_licensed: None, saml_idp: Any, make_organization: Callable[..., Any],
                  outbound_allow: Callable[..., None]) -> Callable[..., Any]:
    """``saml_provider(organization=None, **fields)``: a SAML IdentityProvider trusted by the test IdP (allowlisted)."""
    from anneal_enterprise.sso import config, saml

    outbound_allow("127.0.0.1")

    def make(organization: Any = None, **fields: Any) -> Any:
        fields = {"name": "Test SAML IdP", "idp_metadata_url": saml_idp.metadata_url, **fields}
        provider = config.create_provider(organization or make_organization(), "saml", **fields)
        saml_idp.trust_sp(saml.sp_metadata(provider))
        return provider

    return make


@pytest.fixture
def scim(sso_licensed: None, make_organization: Callable[..., Any]) -> Any:
    """A SCIM client holding a fresh organization's token; the organization maps the group "Admins" to admin."""
    from anneal_enterprise.sso import config
    from anneal_enterprise.sso.models import IdentityProvider

    from .scim_client import Scim

    organization = make_organization()
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP", issuer="https://i.test",
                                    client_id="x", role_mapping={"Admins": "admin"}, default_role="member")
    _, value = config.create_scim_token(organization)
    return Scim(value, organization)
