"""The fixtures Anneal ships for plugin authors (``core/testing/pytest_plugin.py``) do what they say."""

from __future__ import annotations

import pytest

from core import features
from core.access import role_of
from core.plugins import NavItem, hookimpl, hooks
from core.plugins.manager import records

pytestmark = pytest.mark.django_db


class Navigation:
    @hookimpl
    def anneal_navigation(self) -> list[NavItem]:
        return [NavItem("Temporary", "/temporary/")]


def test_anneal_plugin_registers_for_one_test_only(anneal_plugin, rf):
    anneal_plugin(Navigation(), name="temporary")
    assert [i.label for i in hooks.navigation(rf.get("/"), None) if i.label == "Temporary"] == ["Temporary"]
    assert any(r.name == "temporary" and r.ok for r in records())


def test_the_plugin_from_the_previous_test_is_gone(rf):
    assert not [i for i in hooks.navigation(rf.get("/"), None) if i.label == "Temporary"]
    assert not any(r.name == "temporary" for r in records())


def test_organization_roles_gives_one_user_per_role(organization_roles):
    organization = organization_roles.organization
    for role in ("owner", "admin", "member", "viewer"):
        assert role_of(organization_roles.user(role), organization).value == role


def test_api_client_for_authenticates_with_a_real_token(organization_roles, api_client_for):
    response = api_client_for(organization_roles.viewer).get(
        f"/api/v1/organizations/{organization_roles.organization.slug}/"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_web_client_for_signs_the_user_in(organization_roles, web_client_for):
    slug = organization_roles.organization.slug
    response = web_client_for(organization_roles.member).get(f"/o/{slug}/")
    assert response.status_code == 200
    assert organization_roles.organization.name in response.content.decode()


def test_captured_events_receives_the_events_a_change_emits(captured_events, make_user, api_client_for):
    user = make_user()
    api_client_for(user).post("/api/v1/organizations/", {"name": "Evented"}, format="json")
    created = [event for event in captured_events if event.type == "organization.created"]
    assert len(created) == 1


def test_feature_flags_decide_per_organization_and_instance_wide(feature_flags, make_organization):
    first, second = make_organization(), make_organization()
    feature_flags.enable("reports", first)
    feature_flags.disable("reports")
    assert features.has("reports", organization=first) is True
    assert features.has("reports", organization=second) is False
    assert features.has("reports") is False


def test_feature_flags_leave_unset_features_to_the_other_plugins(feature_flags, anneal_plugin):
    class Yes:
        @hookimpl
        def anneal_feature_enabled(self, name: str) -> bool | None:
            return True if name == "other" else None

    anneal_plugin(Yes(), name="says-yes")
    feature_flags.disable("mine")
    assert features.has("other") is True
    assert features.has("mine") is False
