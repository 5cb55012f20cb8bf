"""The REST API: payload validation, invitations, pagination, filtering and the OpenAPI schema."""

import pytest

from core.testing.contract import invalid_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(make_user, make_organization, api_client_for):
    owner = make_user()
    organization = make_organization(owner=owner)
    return api_client_for(owner), organization, owner


@pytest.mark.parametrize("payload,field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "!!!"}, "name"),
    ({"name": "x" * 500}, "name"),
])
def test_bad_project_payloads_are_refused_with_the_field_named(owner_client, payload, field):
    client, organization, _ = owner_client
    response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", payload, format="json")
    assert response.status_code == 400
    assert field in invalid_fields(response)


def test_malformed_json_is_a_400_not_a_500(owner_client):
    client, organization, _ = owner_client
    response = client.generic("POST", f"/api/v1/organizations/{organization.slug}/projects/", "{not json",
                              content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_a_duplicate_project_slug_is_refused_and_nothing_is_lost(owner_client):
    client, organization, _ = owner_client
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    assert client.post(url, {"name": "Site", "description": "first"}, format="json").status_code == 201
    response = client.post(url, {"name": "Site", "description": "second"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unique"
    assert client.get(url + "site/").json()["description"] == "first"


def test_an_invalid_role_is_refused(owner_client):
    client, organization, _ = owner_client
    response = client.post(f"/api/v1/organizations/{organization.slug}/invitations/",
                           {"email": "x@example.com", "role": "emperor"}, format="json")
    assert response.status_code == 400 and "role" in invalid_fields(response)


def test_an_invited_user_accepts_with_the_token_from_the_email(owner_client, make_user, api_client_for):
    from core.services.invitations import invite

    _, organization, owner = owner_client
    _, token = invite(organization, "bob@example.com", "viewer", owner)
    bob = make_user("bob@example.com")
    response = api_client_for(bob).post("/api/v1/invitations/accept/", {"token": token}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "viewer"
    again = api_client_for(bob).post("/api/v1/invitations/accept/", {"token": token}, format="json")
    assert again.status_code == 400 and "accepted" in again.json()["detail"]


def test_an_invitation_cannot_be_accepted_by_someone_else(owner_client, make_user, api_client_for):
    from core.services.invitations import invite

    _, organization, owner = owner_client
    _, token = invite(organization, "bob@example.com", "member", owner)
    response = api_client_for(make_user("eve@example.com")).post(
        "/api/v1/invitations/accept/", {"token": token}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "wrong_user"


def test_a_forged_invitation_token_is_refused(make_user, api_client_for):
    response = api_client_for(make_user()).post("/api/v1/invitations/accept/", {"token": "forged"}, format="json")
    assert response.status_code == 400


def test_lists_are_paginated_and_filterable(owner_client):
    client, organization, _ = owner_client
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    for number in range(7):
        client.post(url, {"name": f"Project {number}", "description": "alpha" if number < 3 else "beta"}, format="json")
    page = client.get(url, {"page_size": 5}).json()
    assert len(page["results"]) == 5 and page["next"] and page["previous"] is None
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None and rest["previous"]
    assert len(client.get(url, {"search": "alpha"}).json()["results"]) == 3


def test_members_filter_by_role(owner_client, make_member):
    client, organization, _ = owner_client
    make_member(organization, "viewer")
    body = client.get(f"/api/v1/organizations/{organization.slug}/members/", {"role": "viewer"}).json()
    assert [member["role"] for member in body["results"]] == ["viewer"]


def test_unauthenticated_requests_get_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_openapi_schema_describes_every_core_route(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/organizations/", "/api/v1/organizations/{slug}/",
        "/api/v1/organizations/{organization_slug}/projects/",
        "/api/v1/organizations/{organization_slug}/members/",
        "/api/v1/organizations/{organization_slug}/invitations/",
        "/api/v1/tokens/", "/api/v1/me/", "/api/v1/invitations/accept/",
    } <= paths
    assert "apiToken" in schema["components"]["securitySchemes"]


def test_the_plugin_listing_is_for_staff_only(make_user, api_client_for):
    assert api_client_for(make_user()).get("/api/v1/plugins/").status_code == 403
    body = api_client_for(make_user(is_staff=True)).get("/api/v1/plugins/").json()
    assert {"core.builtin.events", "enterprise"} <= {row["name"] for row in body}


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi:")


def test_the_openapi_schema_names_anneal_and_its_version(client):
    from core import __version__

    info = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["info"]
    assert info["title"] == "Anneal API"
    assert info["version"] == __version__ != "0.0.0"
