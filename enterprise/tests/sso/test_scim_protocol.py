"""RFC 7643 / 7644 behaviour of the SCIM endpoints, one test per behaviour (docs/enterprise/sso.md, "SCIM 2.0")."""

from __future__ import annotations

from typing import Any

import pytest

from anneal_enterprise.sso.models import ScimUser
from core.models import Membership, User

from .conftest import add_verified_domain
from .scim_client import ERROR, GROUP, USER, Scim

pytestmark = pytest.mark.django_db
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def create(scim: Scim, user_name: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [USER], "userName": user_name, **extra}
    if email:
        body["emails"] = [{"value": email, "type": "work", "primary": True}]
    response = scim.call("post", "/Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def assert_scim_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


@pytest.fixture
def people(scim: Scim) -> dict[str, dict[str, Any]]:
    add_verified_domain(scim.organization, "acme.test")
    return {
        "ann": create(scim, "ann.lee", "ann@acme.test", name={"givenName": "Ann", "familyName": "Lee"},
                      title="Engineer", externalId="e-1", active=True),
        "bob": create(scim, "bob.ray", "bob@acme.test", name={"givenName": "Bob", "familyName": "Ray"},
                      title="Manager", externalId="e-2", active=False),
        "cat": create(scim, "cat.kim", "cat@acme.test", name={"givenName": "Cat", "familyName": "Kim"},
                      externalId="e-3", active=True),
    }


# Discovery

@pytest.mark.parametrize("path", ["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas",
                                  f"/Schemas/{USER}"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_discovery_endpoints_are_get_only(scim, path, method):
    response = scim.call(method, path, {} if method != "delete" else None)
    assert_scim_error(response, 405)
    assert response["Allow"] == "GET"


def test_service_provider_config_says_what_is_supported(scim):
    config = scim.call("get", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["sort"]["supported"] is True and config["etag"]["supported"] is True
    assert config["changePassword"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_resource_types_and_schemas_describe_users_groups_and_the_enterprise_extension(scim):
    types = {t["id"]: t for t in scim.call("get", "/ResourceTypes").json()["Resources"]}
    assert types["User"]["endpoint"] == "/Users" and types["Group"]["endpoint"] == "/Groups"
    assert types["User"]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert scim.call("get", "/ResourceTypes/Group").json()["schema"] == GROUP
    ids = {s["id"] for s in scim.call("get", "/Schemas").json()["Resources"]}
    assert ids == {USER, GROUP, ENTERPRISE}
    extension = scim.call("get", f"/Schemas/{ENTERPRISE}").json()
    assert {"employeeNumber", "department", "manager"} <= {a["name"] for a in extension["attributes"]}


# Errors

@pytest.mark.parametrize("path", ["/", "/Nope", "/Users/123/extra", "/ResourceTypes/Device", "/Schemas/urn:x:y",
                                  "/Users/999999", "/Users/not-a-number", "/Groups/8d6b2a8e-0000-4000-8000-000000000000",
                                  "/Groups/short"])
def test_unknown_paths_and_ids_are_scim_404s(scim, path):
    assert_scim_error(scim.call("get", path), 404)


def test_an_unknown_path_without_a_token_is_a_scim_401(scim):
    response = scim.client.get("/api/v1/plugins/enterprise/sso/scim/v2/Nope")
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("body", ['{"userName": "x"', "[1, 2]", '{"schemas": ["' + USER + '"], "userName": "a\\u0000b"}'])
def test_malformed_bodies_are_scim_400s(scim, body):
    assert_scim_error(scim.call("post", "/Users", body), 400)


def test_a_user_without_user_name_is_refused(scim):
    assert_scim_error(scim.call("post", "/Users", {"schemas": [USER], "emails": [{"value": "x@acme.test"}]}), 400)


# userName and email

def test_user_name_is_any_string_and_the_email_comes_from_emails(scim):
    created = create(scim, "EMP-00042", None, emails=[{"value": "home@personal.test", "type": "home"},
                                                       {"value": "Dee@Acme.test", "type": "work"}])
    user = User.objects.get(pk=created["id"])
    assert created["userName"] == "EMP-00042" and user.email == "dee@acme.test"


def test_the_primary_email_wins_over_the_work_one(scim):
    created = create(scim, "upn@tenant.test", None, emails=[{"value": "w@acme.test", "type": "work"},
                                                             {"value": "p@acme.test", "type": "other", "primary": True}])
    assert User.objects.get(pk=created["id"]).email == "p@acme.test"


def test_user_name_uniqueness_is_case_insensitive(scim):
    create(scim, "Ann.Lee", "ann@acme.test")
    assert_scim_error(scim.call("post", "/Users", {"schemas": [USER], "userName": "ann.LEE",
                                                   "emails": [{"value": "other@acme.test"}]}), 409, "uniqueness")
    found = scim.call("get", "/Users", filter='userName eq "ANN.lee"').json()
    assert found["totalResults"] == 1


@pytest.mark.parametrize("attribute", ["userName", "externalId"])
def test_a_user_attribute_longer_than_its_column_is_a_scim_400(scim, attribute):
    body = {"schemas": [USER], "userName": "long", "emails": [{"value": "long@acme.test"}], attribute: "x" * 256}
    assert_scim_error(scim.call("post", "/Users", body), 400, "invalidValue")
    created = create(scim, "short", "short@acme.test")
    replaced = {"schemas": [USER], "userName": "short", "emails": [{"value": "short@acme.test"}], attribute: "y" * 256}
    assert_scim_error(scim.call("put", f"/Users/{created['id']}", replaced), 400, "invalidValue")
    assert scim.call("get", "/Users", filter='userName eq "long"').json()["totalResults"] == 0


def test_a_group_name_longer_than_its_column_is_a_scim_400(scim):
    assert_scim_error(scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "g" * 256}), 400, "invalidValue")


def test_a_user_without_an_email_gets_an_unreachable_address(scim):
    created = create(scim, "no-mail")
    assert "emails" not in created
    assert User.objects.get(pk=created["id"]).email.endswith("@no-email.invalid")


def test_password_is_never_stored_or_returned_and_unknown_attributes_are_ignored(scim):
    created = create(scim, "pw", "pw@acme.test", password="hunter2hunter2", favouriteColour="blue",
                     **{ENTERPRISE: {"manager": {"value": "1"}}})
    assert "password" not in created and "favouriteColour" not in created
    assert created[ENTERPRISE]["manager"]["$ref"].endswith("/Users/1")
    stored = ScimUser.objects.get(user_id=created["id"])
    assert "password" not in stored.attributes and "hunter2" not in str(stored.attributes)
    assert not User.objects.get(pk=created["id"]).has_usable_password()


# CRUD

def test_get_returns_the_resource_with_meta(scim, people):
    ann = scim.call("get", f"/Users/{people['ann']['id']}")
    body = ann.json()
    assert body["meta"]["resourceType"] == "User" and body["meta"]["location"].endswith(f"/Users/{body['id']}")
    assert body["meta"]["created"] and body["meta"]["lastModified"]
    assert body["meta"]["version"] == ann["ETag"] == 'W/"1"'


def test_post_returns_201_with_location(scim):
    response = scim.call("post", "/Users", {"schemas": [USER], "userName": "loc", "emails": [{"value": "l@acme.test"}]})
    assert response.status_code == 201 and response["Location"] == response.json()["meta"]["location"]


def test_put_replaces_the_whole_resource(scim, people):
    user_id = people["ann"]["id"]
    replaced = scim.call("put", f"/Users/{user_id}", {
        "schemas": [USER], "userName": "ann.lee", "emails": [{"value": "ann@acme.test", "primary": True}],
        "name": {"givenName": "Annie"}, "externalId": "e-1b"}).json()
    assert replaced["name"] == {"givenName": "Annie"} and "title" not in replaced and replaced["externalId"] == "e-1b"
    assert User.objects.get(pk=user_id).name == "Annie"


def test_delete_removes_the_resource(scim, people):
    user_id = people["cat"]["id"]
    assert scim.call("delete", f"/Users/{user_id}").status_code == 204
    assert_scim_error(scim.call("get", f"/Users/{user_id}"), 404)
    assert not Membership.objects.filter(organization=scim.organization, user_id=user_id).exists()
    assert not User.objects.get(pk=user_id).is_active


# PATCH

def patch(scim: Scim, user_id: str, *operations: dict[str, Any]) -> dict[str, Any]:
    response = scim.patch_ops(f"/Users/{user_id}", *operations)
    assert response.status_code == 200, response.content
    return response.json()


def test_patch_replace_add_and_remove_with_paths(scim, people):
    user_id = people["ann"]["id"]
    body = patch(scim, user_id, {"op": "replace", "path": "name.givenName", "value": "Anna"},
                 {"op": "add", "path": "nickName", "value": "Nan"},
                 {"op": "remove", "path": "title"},
                 {"op": "replace", "path": "externalId", "value": "e-9"})
    assert body["name"]["givenName"] == "Anna" and body["nickName"] == "Nan" and "title" not in body
    assert body["externalId"] == "e-9" and User.objects.get(pk=user_id).name == "Anna Lee"


def test_patch_without_path_merges_the_value_object(scim, people):
    body = patch(scim, people["ann"]["id"], {"op": "replace", "value": {"displayName": "A. Lee", "title": "CTO"}})
    assert body["displayName"] == "A. Lee" and body["title"] == "CTO"


def test_patch_paths_with_value_filters(scim, people):
    user_id = people["ann"]["id"]
    body = patch(scim, user_id, {"op": "add", "path": "emails", "value": [{"value": "ann.home@acme.test", "type": "home"}]},
                 {"op": "replace", "path": 'emails[type eq "home"].value', "value": "ann.h@acme.test"})
    assert {e["value"] for e in body["emails"]} == {"ann@acme.test", "ann.h@acme.test"}
    body = patch(scim, user_id, {"op": "remove", "path": 'emails[type eq "home"]'})
    assert [e["value"] for e in body["emails"]] == ["ann@acme.test"]
    body = patch(scim, user_id, {"op": "replace", "path": 'emails[type eq "work"].value', "value": "anne@acme.test"})
    assert User.objects.get(pk=user_id).email == "anne@acme.test"


def test_patch_on_a_value_filter_matching_nothing_is_no_target(scim, people):
    response = scim.patch_ops(f"/Users/{people['ann']['id']}",
                              {"op": "replace", "path": 'phoneNumbers[type eq "fax"].display', "value": "x"})
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert response.json()["scimType"] == "noTarget"


def test_patch_active_deactivates_and_reactivates(scim, people):
    user_id = people["ann"]["id"]
    assert patch(scim, user_id, {"op": "replace", "path": "active", "value": False})["active"] is False
    assert not User.objects.get(pk=user_id).is_active
    assert patch(scim, user_id, {"op": "replace", "path": "active", "value": True})["active"] is True
    assert User.objects.get(pk=user_id).is_active


def test_patch_the_enterprise_extension(scim, people):
    user_id = people["ann"]["id"]
    manager_id = people["bob"]["id"]
    body = patch(scim, user_id,
                 {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "701984"},
                 {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Tour Operations"},
                 {"op": "add", "path": f"{ENTERPRISE}:manager", "value": manager_id})
    extension = body[ENTERPRISE]
    assert extension["employeeNumber"] == "701984" and extension["department"] == "Tour Operations"
    assert extension["manager"]["value"] == manager_id and extension["manager"]["$ref"].endswith(f"/Users/{manager_id}")
    assert ENTERPRISE in body["schemas"]
    body = patch(scim, user_id, {"op": "remove", "path": f"{ENTERPRISE}:department"})
    assert "department" not in body[ENTERPRISE]


def test_a_failing_operation_leaves_the_resource_unchanged(scim, people):
    user_id = people["ann"]["id"]
    response = scim.patch_ops(f"/Users/{user_id}", {"op": "replace", "path": "title", "value": "Changed"},
                              {"op": "replace", "path": "userName", "value": "bob.ray"})
    assert_scim_error(response, 409, "uniqueness")
    assert scim.call("get", f"/Users/{user_id}").json()["title"] == "Engineer"


@pytest.mark.parametrize("operations", [
    [{"op": "Replace", "path": "active", "value": "False"}],
    [{"op": "Replace", "value": {"active": "False"}}],
    [{"op": "replace", "path": "", "value": {"active": False}}],
])
def test_entra_and_okta_dialects_are_accepted(scim, people, operations):
    assert patch(scim, people["ann"]["id"], *operations)["active"] is False


# List and query

def user_names(scim: Scim, **params: Any) -> list[str]:
    response = scim.call("get", "/Users", **params)
    assert response.status_code == 200, response.content
    return [r["userName"] for r in response.json()["Resources"]]


@pytest.mark.parametrize("expression, expected", [
    ('userName eq "ann.lee"', ["ann.lee"]),
    ('userName ne "ann.lee"', ["bob.ray", "cat.kim"]),
    ('userName co "a"', ["ann.lee", "bob.ray", "cat.kim"]),
    ('userName sw "B"', ["bob.ray"]),
    ('userName ew ".kim"', ["cat.kim"]),
    ("title pr", ["ann.lee", "bob.ray"]),
    ('externalId gt "e-1"', ["bob.ray", "cat.kim"]),
    ('externalId ge "e-2"', ["bob.ray", "cat.kim"]),
    ('externalId lt "e-2"', ["ann.lee"]),
    ('externalId le "e-2"', ["ann.lee", "bob.ray"]),
    ('title eq "Engineer" and active eq true', ["ann.lee"]),
    ('title eq "Manager" or userName eq "cat.kim"', ["bob.ray", "cat.kim"]),
    ("not (title pr)", ["cat.kim"]),
    ('(userName sw "a" or userName sw "b") and not (active eq false)', ["ann.lee"]),
    ('emails[type eq "work" and value ew "@acme.test"]', ["ann.lee", "bob.ray", "cat.kim"]),
    ('emails.value eq "BOB@acme.test"', ["bob.ray"]),
    ('name.familyName eq "kim"', ["cat.kim"]),
    ('meta.created gt "2000-01-01T00:00:00Z"', ["ann.lee", "bob.ray", "cat.kim"]),
])
def test_filters(scim, people, expression, expected):
    assert user_names(scim, filter=expression) == expected


def test_start_index_and_count_page_one_based(scim, people):
    page = scim.call("get", "/Users", startIndex=2, count=1).json()
    assert page["totalResults"] == 3 and page["startIndex"] == 2 and page["itemsPerPage"] == 1
    assert [r["userName"] for r in page["Resources"]] == ["bob.ray"]
    assert scim.call("get", "/Users", count=0).json()["Resources"] == []


def test_count_is_capped_at_max_results(scim, people):
    assert scim.call("get", "/Users", count=10_000).json()["itemsPerPage"] == 3


def test_sort_by_and_sort_order(scim, people):
    assert user_names(scim, sortBy="name.givenName", sortOrder="descending") == ["cat.kim", "bob.ray", "ann.lee"]
    assert user_names(scim, sortBy="userName", sortOrder="Descending") == ["cat.kim", "bob.ray", "ann.lee"]
    assert user_names(scim, sortBy="title") == ["ann.lee", "bob.ray", "cat.kim"]


def test_attributes_and_excluded_attributes_on_every_read(scim, people):
    user_id = people["ann"]["id"]
    only = scim.call("get", f"/Users/{user_id}", attributes="userName,name.givenName").json()
    assert set(only) == {"schemas", "id", "userName", "name"} and only["name"] == {"givenName": "Ann"}
    without = scim.call("get", f"/Users/{user_id}", excludedAttributes="emails,title").json()
    assert "emails" not in without and "title" not in without and "userName" in without
    listed = scim.call("get", "/Users", attributes="userName").json()["Resources"]
    assert all(set(r) == {"schemas", "id", "userName"} for r in listed)
    patched = scim.call("patch", f"/Users/{user_id}?attributes=title",
                        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{"op": "replace", "path": "title", "value": "VP"}]}).json()
    assert set(patched) == {"schemas", "id", "title"}


def test_post_search(scim, people):
    body = {"schemas": [SEARCH], "filter": 'title pr', "sortBy": "userName", "sortOrder": "descending",
            "startIndex": 1, "count": 1, "attributes": ["userName"]}
    found = scim.call("post", "/Users/.search", body).json()
    assert found["totalResults"] == 2 and found["Resources"] == [{"schemas": [USER], "id": people["bob"]["id"],
                                                                  "userName": "bob.ray"}]


def test_post_search_at_the_root_spans_users_and_groups(scim, people):
    scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "Ops"})
    found = scim.call("post", "/.search", {"schemas": [SEARCH], "filter": 'displayName eq "Ops" or userName eq "ann.lee"'})
    assert found.status_code == 200, found.content
    assert found.json()["totalResults"] == 2


# ETags

def test_if_none_match_gives_304_and_if_match_gives_412(scim, people):
    user_id = people["ann"]["id"]
    etag = scim.call("get", f"/Users/{user_id}")["ETag"]
    assert scim.call("get", f"/Users/{user_id}", headers={"HTTP_IF_NONE_MATCH": etag}).status_code == 304
    stale = scim.call("patch", f"/Users/{user_id}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{"op": "replace", "path": "title", "value": "X"}]}, headers={"HTTP_IF_MATCH": 'W/"0"'})
    assert_scim_error(stale, 412)
    fresh = scim.call("patch", f"/Users/{user_id}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{"op": "replace", "path": "title", "value": "X"}]}, headers={"HTTP_IF_MATCH": etag})
    assert fresh.status_code == 200 and fresh["ETag"] == 'W/"2"'


# Groups

def group(scim: Scim, name: str, *member_ids: str) -> dict[str, Any]:
    response = scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": name,
                                             "members": [{"value": m} for m in member_ids]})
    assert response.status_code == 201, response.content
    return response.json()


def test_group_crud_and_membership_patches(scim, people):
    ann, bob = people["ann"]["id"], people["bob"]["id"]
    created = group(scim, "Engineering", ann)
    assert created["meta"]["resourceType"] == "Group" and created["members"][0]["value"] == ann
    path = f"/Groups/{created['id']}"
    scim.patch_ops(path, {"op": "add", "path": "members", "value": [{"value": bob}]})
    assert {m["value"] for m in scim.call("get", path).json()["members"]} == {ann, bob}
    scim.patch_ops(path, {"op": "remove", "path": f'members[value eq "{ann}"]'})
    assert [m["value"] for m in scim.call("get", path).json()["members"]] == [bob]
    scim.patch_ops(path, {"op": "replace", "path": "displayName", "value": "Eng"})
    replaced = scim.call("put", path, {"schemas": [GROUP], "displayName": "Eng", "members": [{"value": ann}]}).json()
    assert [m["value"] for m in replaced["members"]] == [ann]
    assert scim.call("get", f"/Users/{ann}").json()["groups"][0]["value"] == created["id"]
    assert scim.call("get", "/Groups", filter='displayName eq "eng"').json()["totalResults"] == 1
    assert scim.call("delete", path).status_code == 204
    assert_scim_error(scim.call("get", path), 404)


def test_group_display_names_are_unique_case_insensitively(scim):
    group(scim, "Admins")
    assert_scim_error(scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "admins"}), 409, "uniqueness")


def test_nested_groups_are_refused(scim):
    inner = group(scim, "Inner")
    response = scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "Outer",
                                             "members": [{"value": inner["id"], "type": "Group"}]})
    assert_scim_error(response, 400, "invalidValue")


def test_unknown_group_members_are_refused(scim, make_member):
    outsider = make_member(scim.organization)  # a member, but never provisioned: not a SCIM resource
    response = scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "X",
                                             "members": [{"value": str(outsider.pk)}]})
    assert_scim_error(response, 400, "invalidValue")


def test_group_membership_applies_the_role_mapping(scim, people):
    ann = people["ann"]["id"]
    admins = group(scim, "Admins")
    scim.patch_ops(f"/Groups/{admins['id']}", {"op": "add", "path": "members", "value": [{"value": ann}]})
    assert Membership.objects.get(organization=scim.organization, user_id=ann).role == "admin"
    scim.patch_ops(f"/Groups/{admins['id']}", {"op": "remove", "path": "members", "value": [{"value": ann}]})
    assert Membership.objects.get(organization=scim.organization, user_id=ann).role == "member"


# Audit

def test_every_change_is_an_event_attributed_to_the_token(scim, captured_events):
    add_verified_domain(scim.organization, "acme.test")
    user_id = create(scim, "eve", "eve@acme.test")["id"]
    patch(scim, user_id, {"op": "replace", "path": "title", "value": "Dr"})
    group_id = group(scim, "Admins", user_id)["id"]
    scim.call("delete", f"/Groups/{group_id}")
    scim.call("delete", f"/Users/{user_id}")
    prefix = scim.token[:12]
    changes = [e for e in captured_events if e.type.startswith(("scim.", "user.", "membership."))]
    assert {"scim.user_created", "scim.user_updated", "scim.group_created", "scim.group_deleted", "scim.user_deleted",
            "user.created", "membership.created", "membership.role_changed", "membership.deleted"} <= {e.type for e in changes}
    assert all(e.actor.kind == "scim" and e.actor.id == f"scim:{prefix}" for e in changes), \
        [(e.type, e.actor) for e in changes if e.actor.id != f"scim:{prefix}"]


def test_a_refused_change_is_recorded(scim, make_member, captured_events):
    member = make_member(scim.organization, email="pat@gmail.test")
    create(scim, "pat", "pat@gmail.test")
    scim.patch_ops(f"/Users/{member.pk}", {"op": "replace", "path": "name.givenName", "value": "X"})
    refused = [e for e in captured_events if e.type == "scim.change_refused"]
    assert len(refused) == 1 and refused[0].data["status"] == 403 and refused[0].actor.kind == "scim"


# Hostile input: never a 500, always a SCIM error

@pytest.mark.parametrize("params", [
    {"filter": "(" * 3000 + 'userName eq "x"' + ")" * 3000},
    {"filter": "not (" * 1500 + 'userName eq "x"' + ")" * 1500},
    {"filter": 'userName eq "' + "x" * 100_000 + '"'},
    {"filter": 'meta.created gt "not a date"'},
    {"filter": "userName eq 12"},
    {"sortBy": "password"}, {"sortBy": "emails[type eq \"work\"]"}, {"sortOrder": "sideways"},
    {"startIndex": "abc"}, {"count": "1e9"}, {"startIndex": "-5", "count": "-3"},
    {"attributes": "nosuch,urn:x:y:z"}, {"attributes": "userName", "excludedAttributes": "emails"},
])
def test_hostile_queries_are_answered_without_a_server_error(scim, people, params):
    response = scim.call("get", "/Users", **params)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_scim_error(response, response.status_code)


@pytest.mark.parametrize("operations", [
    [{"op": "replace", "path": "(" * 2000, "value": "x"}],
    [{"op": "replace", "path": "emails[" * 500, "value": "x"}],
    [{"op": "add", "path": "members", "value": "not a list"}],
    [{"op": "replace", "path": "active", "value": {"deep": [[[[]]]]}}],
    [{"op": "replace", "value": "no path and not an object"}],
    [{"op": "replace", "path": "id", "value": "42"}],
    [{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}],
    [{"op": "replace", "path": "groups", "value": []}],
    ["not an object"],
])
def test_hostile_patches_are_answered_without_a_server_error(scim, people, operations):
    response = scim.patch_ops(f"/Users/{people['ann']['id']}", *operations)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_scim_error(response, response.status_code)


def test_removing_active_leaves_access_as_it_was(scim, people):
    bob = people["bob"]["id"]  # created inactive
    body = patch(scim, bob, {"op": "remove", "path": "active"})
    assert "active" not in body
    assert not User.objects.get(pk=bob).is_active


def test_group_filters_on_members_external_id_and_id(scim, people):
    ann = people["ann"]["id"]
    engineering = scim.call("post", "/Groups", {"schemas": [GROUP], "displayName": "Engineering", "externalId": "g-1",
                                                "members": [{"value": ann}]}).json()
    group(scim, "Sales")

    def names(expression: str) -> list[str]:
        response = scim.call("get", "/Groups", filter=expression)
        assert response.status_code == 200, response.content
        return [g["displayName"] for g in response.json()["Resources"]]

    assert names(f'members[value eq "{ann}"]') == ["Engineering"]
    assert names('externalId eq "g-1"') == ["Engineering"]
    assert names(f'id eq "{engineering["id"]}"') == ["Engineering"]
    assert names('displayName sw "s"') == ["Sales"]
