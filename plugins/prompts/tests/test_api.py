import pytest

from core.testing.contract import invalid_fields

from anneal_prompts.models import Prompt

pytestmark = pytest.mark.django_db


def prompts_url(organization, project):
    return f"/api/v1/plugins/prompts/organizations/{organization.slug}/projects/{project.slug}/prompts/"


@pytest.fixture
def client_for(api_client_for, member_with):
    return lambda role: api_client_for(member_with(role))


def test_a_member_creates_a_prompt_and_edits_it_into_a_new_version(client_for, organization, project):
    client = client_for("member")
    created = client.post(prompts_url(organization, project), {"name": "Greeting", "body": "Hello!"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    detail = f"{prompts_url(organization, project)}greeting/"

    edited = client.patch(detail, {"body": "Hello there!", "note": "friendlier"}, format="json")
    assert edited.status_code == 200, edited.content
    assert (edited.json()["version"], edited.json()["body"]) == (2, "Hello there!")
    versions = client.get(f"{detail}versions/").json()["results"]
    assert [(v["number"], v["note"]) for v in versions] == [(2, "friendlier"), (1, "First version")]
    assert client.get(f"{detail}versions/1/").json()["body"] == "Hello!"


def test_diff_and_rollback_through_the_api(client_for, organization, project, make_prompt):
    make_prompt(body="line one\nline two")
    client = client_for("member")
    detail = f"{prompts_url(organization, project)}greeting/"
    client.patch(detail, {"body": "line one\nline 2"}, format="json")

    diff = client.get(f"{detail}diff/").json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert "-line two" in diff["diff"] and "+line 2" in diff["diff"]
    rolled = client.post(f"{detail}rollback/", {"version": 1}, format="json")
    assert rolled.status_code == 201 and rolled.json()["restored_from"] == 1
    assert client.get(detail).json()["body"] == "line one\nline two"


@pytest.mark.parametrize("number", ["667000122750760124416", "0", "x", "\u00b2"])
def test_a_version_number_out_of_range_is_a_400_not_a_server_error(client_for, organization, project, make_prompt,
                                                                  number):
    make_prompt(body="line one")
    client = client_for("member")
    detail = f"{prompts_url(organization, project)}greeting/"
    response = client.get(f"{detail}diff/", {"from": number})
    assert response.status_code == 400
    assert "whole numbers" in response.json()["detail"]
    big = "9" * 25
    assert client.get(f"{detail}versions/{big}/").status_code == 400


@pytest.mark.parametrize("role, read, write, delete", [
    ("viewer", 200, 403, 403),
    ("member", 200, 200, 403),
    ("admin", 200, 200, 204),
])
def test_viewers_read_members_write_admins_delete(client_for, organization, project, make_prompt,
                                                  role, read, write, delete):
    make_prompt(body="v1")
    client = client_for(role)
    detail = f"{prompts_url(organization, project)}greeting/"
    assert client.get(detail).status_code == read
    assert client.patch(detail, {"body": f"by {role}"}, format="json").status_code == write
    assert client.post(f"{detail}rollback/", {"version": 1}, format="json").status_code in (
        {201} if write == 200 else {403})
    assert client.delete(detail).status_code == delete


def test_non_members_and_other_organizations_get_404(api_client_for, make_user, make_organization, organization,
                                                     project, make_prompt):
    make_prompt()
    assert api_client_for(make_user()).get(prompts_url(organization, project)).status_code == 404
    other_admin = make_user()
    other = make_organization(owner=other_admin)
    url = f"/api/v1/plugins/prompts/organizations/{other.slug}/projects/{project.slug}/prompts/"
    assert api_client_for(other_admin).get(url).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "A"}, "body"),
    ({"name": "A", "body": "   "}, "body"),
    ({"name": "!!!", "body": "text"}, "name"),
    ({"name": "A", "body": "x" * 100_001}, "body"),
    ({"body": "text"}, "name"),
])
def test_invalid_prompts_are_refused_with_the_field_at_fault(client_for, organization, project, body, field):
    response = client_for("member").post(prompts_url(organization, project), body, format="json")
    assert response.status_code == 400 and field in invalid_fields(response)
    assert not Prompt.objects.exists()


def test_bad_version_numbers_are_answered_clearly(client_for, organization, project, make_prompt):
    make_prompt()
    client = client_for("member")
    detail = f"{prompts_url(organization, project)}greeting/"
    assert client.get(f"{detail}versions/9/").status_code == 404
    assert client.get(f"{detail}diff/?from=1&to=9").status_code == 404
    assert client.get(f"{detail}diff/?from=abc").status_code == 400
    assert client.post(f"{detail}rollback/", {"version": 9}, format="json").status_code == 404
    assert client.post(f"{detail}rollback/", {"version": "x"}, format="json").status_code == 400
    assert client.post(f"{detail}rollback/", {"version": 1}, format="json").status_code == 400  # already current


def test_the_organization_listing_searches_across_projects(client_for, organization, project, make_prompt):
    from core.models import Project

    other_project = Project.objects.create(organization=organization, name="Sales", slug="sales")
    make_prompt("Cold email", "Write a cold email about pricing.", project=other_project)
    make_prompt("Greeting", "Say hello.")
    url = f"/api/v1/plugins/prompts/organizations/{organization.slug}/prompts/"
    found = client_for("viewer").get(url, {"search": "pricing"}).json()["results"]
    assert [(p["project"], p["name"]) for p in found] == [("sales", "Cold email")]


def test_the_routes_appear_in_the_openapi_schema(client_for):
    schema = client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    base = "/api/v1/plugins/prompts/organizations/{organization_slug}/projects/{project_slug}/prompts/"
    assert {base, base + "{prompt_slug}/rollback/", base + "{prompt_slug}/diff/"} <= set(schema["paths"])


def test_the_version_list_reads_its_page_by_primary_keys_first_as_every_api_list_does(
        client_for, organization, project, make_prompt, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anneal_prompts import services

    prompt = make_prompt(body="v1")
    for number in range(2, 6):
        services.edit_prompt(prompt, f"v{number}", author=owner)
    client = client_for("member")
    url = f"{prompts_url(organization, project)}greeting/versions/?page_size=2"

    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).json()

    assert [v["number"] for v in body["results"]] == [5, 4] and body["next"]
    assert any('IN (SELECT U0."id" AS "pk" FROM "anneal_prompts_promptversion" U0' in q["sql"]
               for q in queries.captured_queries), [q["sql"] for q in queries.captured_queries]
    assert [v["number"] for v in client.get(body["next"]).json()["results"]] == [3, 2]
