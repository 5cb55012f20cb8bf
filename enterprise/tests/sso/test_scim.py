"""SCIM 2.0 provisioning: the request sequence an IdP sends, and its effect on sign-in."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso import config
from core.models import Membership, User

from .conftest import add_verified_domain
from .scim_client import BASE, PATCH, new_user

pytestmark = pytest.mark.django_db


def test_standard_sequence_create_filter_patch_deactivate(scim, captured_events, make_organization):
    created = new_user(scim)
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    user = User.objects.get(pk=user_id)
    assert user.name == "Gina Grey" and Membership.objects.filter(organization=scim.organization, user=user).exists()

    listed = scim.call("get", "/Users", filter='userName eq "gina@acme.test"').json()
    assert listed["totalResults"] == 1 and listed["Resources"][0]["id"] == user_id
    assert scim.call("get", "/Users", filter='userName eq "nobody@acme.test"').json()["totalResults"] == 0

    patched = scim.call("patch", f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "name.familyName", "value": "Green"}]})
    assert patched.status_code == 200 and User.objects.get(pk=user_id).name == "Gina Green"

    # Entra ID's form: capitalised op, no path, string boolean.
    deactivated = scim.call("patch", f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "value": {"active": "False"}}]})
    assert deactivated.json()["active"] is False
    assert not User.objects.get(pk=user_id).is_active
    types = [e.type for e in captured_events]
    assert {"user.created", "membership.created", "scim.user_created", "scim.user_deactivated",
            "user.deactivated"} <= set(types)
    assert all(e.actor.kind == "scim" for e in captured_events if e.type in {"user.created", "scim.user_created"})


def test_deactivated_member_cannot_sign_in_with_sso(scim, oidc_provider, oidc_idp):
    provider = oidc_provider(organization=scim.organization)
    add_verified_domain(scim.organization, "acme.test")
    user_id = new_user(scim, "hank@acme.test").json()["id"]
    scim.call("delete", f"/Users/{user_id}")
    oidc_idp.set_account("hank-sub", email="hank@acme.test")
    client = Client()
    start = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))["Location"]
    from .conftest import callback_path

    response = client.get(callback_path(oidc_idp.sign_in(start, "hank-sub")))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "_auth_user_id" not in client.session


def test_deactivation_in_one_organization_keeps_the_account_for_another(scim, make_organization):
    user_id = new_user(scim).json()["id"]
    other = make_organization()
    Membership.objects.create(organization=other, user_id=user_id, role="member")
    scim.call("patch", f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "active", "value": False}]})
    user = User.objects.get(pk=user_id)
    assert user.is_active
    assert not Membership.objects.filter(organization=scim.organization, user=user).exists()
    reactivated = scim.call("patch", f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "active", "value": True}]})
    assert reactivated.json()["active"] is True
    assert Membership.objects.filter(organization=scim.organization, user=user).exists()


def test_groups_create_patch_members_and_map_roles(scim, captured_events):
    user_id = new_user(scim).json()["id"]
    group = scim.call("post", "/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                          "displayName": "Admins", "members": []})
    assert group.status_code == 201
    group_id = group.json()["id"]
    scim.call("patch", f"/Groups/{group_id}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": user_id}]}]})
    assert Membership.objects.get(organization=scim.organization, user_id=user_id).role == "admin"
    assert scim.call("get", "/Groups", filter='displayName eq "Admins"').json()["Resources"][0]["members"][0][
        "value"] == user_id
    scim.call("patch", f"/Groups/{group_id}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{user_id}"]'}]})
    assert Membership.objects.get(organization=scim.organization, user_id=user_id).role == "member"
    assert scim.call("delete", f"/Groups/{group_id}").status_code == 204
    assert {"scim.group_created", "scim.group_updated", "scim.group_deleted"} <= {e.type for e in captured_events}


def test_discovery_endpoints_are_list_responses(scim):
    for path in ("/Schemas", "/ResourceTypes"):
        body = scim.call("get", path).json()
        assert body["totalResults"] == len(body["Resources"]) > 0
    assert scim.call("get", "/ServiceProviderConfig").json()["patch"]["supported"] is True


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer scim_wrong", "Basic abc"])
def test_requests_without_a_valid_token_are_refused(scim, header):
    response = Client().get(BASE + "/Users", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_a_token_only_sees_its_own_organization(scim, make_organization, make_member):
    outsider = make_member(make_organization())
    assert scim.call("get", f"/Users/{outsider.pk}").status_code == 404
    assert scim.call("get", "/Users", filter=f'userName eq "{outsider.email}"').json()["totalResults"] == 0


@pytest.mark.parametrize("body, status", [
    ("not json", 400), ({"schemas": [PATCH], "Operations": [{"op": "explode"}]}, 400),
    ({"Operations": []}, 400),
])
def test_malformed_patches_are_refused(scim, body, status):
    user_id = new_user(scim).json()["id"]
    client = scim.client
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.patch(f"{BASE}/Users/{user_id}", data=data, content_type="application/scim+json", **scim.headers)
    assert response.status_code == status


@pytest.mark.parametrize("expression", ['userName zz "x"', 'userName eq', '(userName eq "x"', 'nosuch eq "x"'])
def test_malformed_filters_are_invalid_filter_errors(scim, expression):
    response = scim.call("get", "/Users", filter=expression)
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter", response.content


def test_existing_account_outside_verified_domains_is_not_taken_over(scim, make_user):
    make_user(email="ivy@elsewhere.test")
    assert new_user(scim, "ivy@elsewhere.test").status_code == 409


def test_revoked_token_is_refused(scim):
    from anneal_enterprise.sso.models import ScimToken

    config.revoke_scim_token(ScimToken.objects.get(organization=scim.organization))
    assert scim.call("get", "/Users").status_code == 401


def test_put_replaces_the_user(scim):
    user_id = new_user(scim).json()["id"]
    response = scim.call("put", f"/Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "gina@acme.test",
        "name": {"givenName": "Georgina", "familyName": "Grey"}, "active": True, "externalId": "okta-456"})
    assert response.status_code == 200
    assert response.json()["name"]["givenName"] == "Georgina" and response.json()["externalId"] == "okta-456"


@pytest.mark.django_db(transaction=True)
def test_users_provisioned_before_the_resource_model_keep_their_email_as_user_name(sso_licensed):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from anneal_enterprise.sso.models import ScimUser

    executor = MigrationExecutor(connection)
    executor.migrate([("anneal_sso", "0004_scim_created_account")])
    old = executor.loader.project_state([("anneal_sso", "0004_scim_created_account")]).apps
    organization = old.get_model("core", "Organization").objects.create(name="Old", slug="old-scim")
    for email, active in (("one@acme.test", True), ("two@acme.test", False)):
        user = old.get_model("core", "User").objects.create(email=email, name="Old Timer")
        old.get_model("anneal_sso", "ScimUser").objects.create(organization_id=organization.pk, user_id=user.pk,
                                                               active=active)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = {s.user_name: s for s in ScimUser.objects.all()}
    assert set(migrated) == {"one@acme.test", "two@acme.test"}
    assert migrated["two@acme.test"].attributes == {
        "emails": [{"value": "two@acme.test", "primary": True, "type": "work"}], "active": False,
        "name": {"givenName": "Old", "familyName": "Timer"}}
    assert migrated["one@acme.test"].user_name_key == "one@acme.test"
