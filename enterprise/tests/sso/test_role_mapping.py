"""Role mapping from IdP groups, applied at each sign-in; a missing claim never demotes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso.roles import mapped_role
from core.models import Membership, User
from core.roles import Role

from .conftest import add_verified_domain, callback_path

pytestmark = pytest.mark.django_db
MAPPING = {"anneal-admins": "admin", "anneal-viewers": "viewer", "engineering": "member"}


def sign_in(idp: Any, provider: Any, subject: str) -> None:
    client = Client()
    start = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))["Location"]
    assert client.get(callback_path(idp.sign_in(start, subject)))["Location"] == reverse("web:organizations")


def role(provider: Any, email: str) -> str:
    return Membership.objects.get(organization=provider.organization, user__email=email).role


def test_groups_map_to_the_highest_role_and_change_at_each_sign_in(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider(role_mapping=MAPPING, default_role="viewer")
    oidc_idp.set_account("dana", email="dana@acme.test", groups=["engineering", "anneal-admins"])
    sign_in(oidc_idp, provider, "dana")
    assert role(provider, "dana@acme.test") == "admin"
    oidc_idp.set_account("dana", email="dana@acme.test", groups=["engineering"])
    sign_in(oidc_idp, provider, "dana")
    assert role(provider, "dana@acme.test") == "member"
    assert "membership.role_changed" in [e.type for e in captured_events]


def test_missing_groups_claim_keeps_the_current_role(oidc_provider, oidc_idp):
    provider = oidc_provider(role_mapping=MAPPING)
    oidc_idp.set_account("erin", email="erin@acme.test", groups=["anneal-admins"])
    sign_in(oidc_idp, provider, "erin")
    oidc_idp.set_account("erin", email="erin@acme.test", groups=None)
    sign_in(oidc_idp, provider, "erin")
    assert role(provider, "erin@acme.test") == "admin"


def test_empty_groups_claim_means_the_default_role(oidc_provider, oidc_idp):
    provider = oidc_provider(role_mapping=MAPPING, default_role="viewer")
    oidc_idp.set_account("fay", email="fay@acme.test", groups=["anneal-admins"])
    sign_in(oidc_idp, provider, "fay")
    oidc_idp.set_account("fay", email="fay@acme.test", groups=[])
    sign_in(oidc_idp, provider, "fay")
    assert role(provider, "fay@acme.test") == "viewer"


def test_the_last_owner_is_never_demoted_by_the_idp(oidc_provider, oidc_idp, make_organization):
    owner = User.objects.create_user("owner@acme.test", None)
    organization = make_organization(owner=owner)
    provider = oidc_provider(organization=organization, role_mapping=MAPPING)
    add_verified_domain(organization, "acme.test")
    oidc_idp.set_account("owner-sub", email="owner@acme.test", groups=["engineering"])
    sign_in(oidc_idp, provider, "owner-sub")
    assert role(provider, "owner@acme.test") == "owner"


@pytest.mark.parametrize("groups, expected", [
    (None, None), ([], Role.MEMBER), (["unknown"], Role.MEMBER), (["anneal-viewers"], Role.VIEWER),
    (["anneal-viewers", "anneal-admins"], Role.ADMIN),
])
def test_mapped_role(groups, expected):
    assert mapped_role(MAPPING, "member", groups) == expected
