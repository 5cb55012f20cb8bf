"""SAML 2.0 sign-in against a real pysaml2 identity provider on localhost."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso.models import ExternalIdentity
from core.models import Membership, User

from .conftest import query

pytestmark = pytest.mark.django_db
ATTRIBUTES = {"email": ["sam@acme.test"], "name": ["Sam Smith"], "groups": ["admins", "staff"]}


def authn_request(client: Client, provider: Any) -> str:
    response = client.get(reverse("enterprise:sso_saml_start", args=[provider.public_id]))
    assert response.status_code == 302, response.content
    return query(response["Location"])["SAMLRequest"]


def post(client: Client, provider: Any, saml_response: str) -> Any:
    return client.post(reverse("enterprise:sso_saml_acs", args=[provider.public_id]), {"SAMLResponse": saml_response})


def last_failure(captured_events: list[Any]) -> str:
    return [e for e in captured_events if e.type == "sso.sign_in_failed"][-1].data["reason"]


def test_sp_initiated_sign_in_provisions_and_maps_roles(saml_provider, saml_idp, captured_events):
    provider = saml_provider(role_mapping={"admins": "admin"})
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "persistent-sam", ATTRIBUTES)
    response = post(client, provider, saml_response)
    assert response["Location"] == reverse("web:organizations"), last_failure(captured_events)
    user = User.objects.get(email="sam@acme.test")
    assert ExternalIdentity.objects.get(provider=provider).subject == "persistent-sam"
    assert Membership.objects.get(organization=provider.organization, user=user).role == "admin"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "sso.signed_in" in [e.type for e in captured_events]


def test_saml_sign_in_changes_are_attributed_to_the_identity_provider(saml_provider, saml_idp, captured_events):
    provider = saml_provider(name="Entra", role_mapping={"admins": "admin"})
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "persistent-sam", ATTRIBUTES)
    post(client, provider, saml_response)
    caused = [e for e in captured_events if e.type in {"user.created", "membership.created"}]
    assert len(caused) == 2 and all(e.actor.id == "sso:Entra" and "SAML" in e.actor.display for e in caused)
    assert [e.data["backend"] for e in captured_events if e.type == "user.signed_in"] == [
        "anneal_enterprise.sso.backends.SsoBackend"]


def test_sp_metadata_is_published_at_a_stable_url_from_the_base_url(saml_provider, settings, client):
    provider = saml_provider()
    url = reverse("enterprise:sso_saml_metadata", args=[provider.public_id])
    body = client.get(url).content.decode()
    assert f'entityID="{settings.BASE_URL}{url}"' in body
    assert f"{settings.BASE_URL}{reverse('enterprise:sso_saml_acs', args=[provider.public_id])}" in body


def test_tampered_assertion_is_refused(saml_provider, saml_idp, captured_events):
    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "victim", ATTRIBUTES)
    import base64

    xml = base64.b64decode(saml_response).decode().replace("sam@acme.test", "boss@acme.test")
    response = post(client, provider, base64.b64encode(xml.encode()).decode())
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "invalid" in last_failure(captured_events)
    assert not User.objects.filter(email="boss@acme.test").exists()


def test_unsigned_response_is_refused(saml_provider, saml_idp, captured_events):
    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES, sign_response=False,
                                         sign_assertion=False)
    post(client, provider, saml_response)
    assert "No Signature found" in last_failure(captured_events)
    assert not User.objects.filter(email="sam@acme.test").exists()


def test_response_signed_by_another_key_is_refused(saml_provider, saml_idp, captured_events, tmp_path):
    from .saml_idp import make_certificate

    provider = saml_provider()
    client = Client()
    other_key, _ = make_certificate(tmp_path, "attacker")
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES, key=other_key)
    post(client, provider, saml_response)
    assert "invalid" in last_failure(captured_events)
    assert "_auth_user_id" not in client.session


def test_sha1_signatures_are_refused(saml_provider, saml_idp, captured_events):
    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES, sha1=True)
    post(client, provider, saml_response)
    assert "Deprecated signature algorithm" in last_failure(captured_events)


def test_wrong_audience_is_refused(saml_provider, saml_idp, captured_events):
    from anneal_enterprise.sso import saml

    provider, other = saml_provider(), saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES,
                                         audience=saml.sp_entity_id(other))
    post(client, provider, saml_response)
    assert "audience" in last_failure(captured_events).lower()


def test_expired_assertion_is_refused(saml_provider, saml_idp, captured_events):
    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES, lifetime_minutes=-10)
    post(client, provider, saml_response)
    reason = last_failure(captured_events).lower()
    assert "expired" in reason or "subjectconfirmation" in reason
    assert not User.objects.filter(email="sam@acme.test").exists()


def test_replayed_response_is_refused(saml_provider, saml_idp, captured_events):
    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES)
    assert post(client, provider, saml_response)["Location"] == reverse("web:organizations")
    other = Client()
    assert post(other, provider, saml_response)["Location"] == reverse("enterprise:sso_sign_in")
    assert "InResponseTo" in last_failure(captured_events)
    assert "_auth_user_id" not in other.session


def test_replay_is_refused_even_when_idp_initiated_sign_in_is_allowed(saml_provider, saml_idp, captured_events):
    from anneal_enterprise.sso import config

    provider = saml_provider()
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "u", ATTRIBUTES)
    post(client, provider, saml_response)
    config.update_provider(provider, allow_idp_initiated=True)
    # Forge an "unsolicited" replay: the same signed assertion cannot be accepted twice either way.
    post(Client(), provider, saml_response)
    assert "InResponseTo" in last_failure(captured_events) or "replay" in last_failure(captured_events)


def test_response_for_another_organizations_provider_is_refused(saml_provider, saml_idp, captured_events):
    ours, theirs = saml_provider(), saml_provider()
    client = Client()
    their_response, _ = saml_idp.response(authn_request(client, theirs), "u", ATTRIBUTES)
    response = post(client, ours, their_response)
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "InResponseTo" in last_failure(captured_events)
    assert not Membership.objects.filter(organization=ours.organization, user__email="sam@acme.test").exists()


def test_idp_initiated_sign_in_is_off_by_default(saml_provider, saml_idp, captured_events):
    import base64

    provider = saml_provider()
    saml_response, _ = saml_idp.response(authn_request(Client(), provider), "u", ATTRIBUTES)
    xml = base64.b64decode(saml_response).decode()
    assert "InResponseTo" in xml
    garbage = base64.b64encode(b"<not-xml").decode()
    post(Client(), provider, garbage)
    assert "malformed" in last_failure(captured_events)


def test_idp_initiated_sign_in_works_once_enabled_and_only_once(saml_provider, saml_idp, captured_events):
    from anneal_enterprise.sso import config

    provider = saml_provider()
    unsolicited, _ = saml_idp.response(authn_request(Client(), provider), "idp-init", ATTRIBUTES, unsolicited=True)
    post(Client(), provider, unsolicited)
    assert "IdP-initiated sign-in is not enabled" in last_failure(captured_events)
    config.update_provider(provider, allow_idp_initiated=True)
    client = Client()
    assert post(client, provider, unsolicited)["Location"] == reverse("web:organizations")
    assert post(Client(), provider, unsolicited)["Location"] == reverse("enterprise:sso_sign_in")
    assert "replay" in last_failure(captured_events)


def test_metadata_refresh_picks_up_a_rotated_certificate(saml_provider, saml_idp, captured_events):
    from anneal_enterprise.sso.tasks import refresh_saml_metadata

    provider = saml_provider()
    saml_idp.rotate_certificate()
    from core.plugins import hooks

    assert "anneal_enterprise.sso.tasks.refresh_saml_metadata" in [t.task for t in hooks.periodic_tasks()]
    assert refresh_saml_metadata() == 1
    client = Client()
    saml_response, _ = saml_idp.response(authn_request(client, provider), "rotated", ATTRIBUTES)
    assert post(client, provider, saml_response)["Location"] == reverse("web:organizations")
    assert "sso.metadata_refreshed" in [e.type for e in captured_events]
