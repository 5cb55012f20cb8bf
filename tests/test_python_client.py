"""The typed Python client (clients/python) against a running Anneal server."""

import dataclasses

import pytest
from anneal_client import AnnealClient, ApiError, Organization, Project, RateLimited, User

from core.services.tokens import create_token


@pytest.fixture
def client(live_server, make_user, make_organization):
    user = make_user("client@example.com")
    make_organization(owner=user)
    _, token = create_token(user, "client")
    return AnnealClient(live_server.url, token)


def test_the_client_manages_projects_on_a_running_server(client):
    organization = client.create_organization("Client Co")
    project = client.create_project(organization.slug, "Docs", description="first")
    assert isinstance(project, Project) and project.organization == organization.slug
    assert client.update_project(organization.slug, "docs", description="second").description == "second"
    assert [p.slug for p in client.projects(organization.slug)] == ["docs"]
    client.delete_project(organization.slug, "docs")
    assert list(client.projects(organization.slug)) == []


def test_the_client_follows_every_page(client):
    organization = client.create_organization("Paged")
    for number in range(3):
        client.create_project(organization.slug, f"P{number}")
    pages = client._pages(Project, f"organizations/{organization.slug}/projects/", {"page_size": 2})
    assert sorted(p.slug for p in pages) == ["p0", "p1", "p2"]


def test_errors_raise_api_error_with_the_problem_document(client):
    organization = client.create_organization("Errors")
    with pytest.raises(ApiError) as refused:
        client.create_project(organization.slug, "")
    assert (refused.value.status, refused.value.code, refused.value.field_codes()) == (400, "invalid", {"name": "blank"})
    with pytest.raises(ApiError) as missing:
        client.project(organization.slug, "nothing")
    assert (missing.value.status, missing.value.code) == (404, "not_found")


def test_a_throttled_request_raises_rate_limited_with_retry_after(client, settings):
    settings.ANNEAL_API_RATE_PER_TOKEN = "1/minute"
    from django.core.cache import cache

    cache.clear()
    client.me()
    with pytest.raises(RateLimited) as throttled:
        client.me()
    assert throttled.value.status == 429 and 0 < throttled.value.retry_after <= 60
    cache.clear()


def test_the_me_operation_returns_the_user(client):
    me = client.me()
    assert isinstance(me, User) and me.email == "client@example.com"


@pytest.mark.parametrize("model,component", [(User, "User"), (Organization, "Organization"), (Project, "Project")])
def test_the_client_models_only_fields_the_schema_documents(model, component):
    from core.testing.contract import openapi

    properties = openapi().spec / "components" / "schemas" / component / "properties"
    assert {f.name for f in dataclasses.fields(model)} <= set(properties.keys())


def run_cli(live_server, token, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "anneal_client.cli", "--url", live_server.url, "--token", token,
                           *args], capture_output=True, text=True, timeout=60)


def test_the_command_line_talks_to_a_remote_instance_through_the_client(live_server, make_user, make_organization):
    import json

    user = make_user("cli@example.com")
    organization = make_organization(owner=user)
    _, token = create_token(user, "cli")
    created = run_cli(live_server, token, "create-project", organization.slug, "Docs", "--description", "d")
    listed = run_cli(live_server, token, "projects", organization.slug)
    assert created.returncode == 0 and json.loads(created.stdout)["slug"] == "docs"
    assert [p["slug"] for p in json.loads(listed.stdout)] == ["docs"]


def test_the_command_line_prints_the_problem_and_fails(live_server, make_user, make_organization):
    user = make_user()
    organization = make_organization(owner=user)
    _, token = create_token(user, "cli")
    refused = run_cli(live_server, token, "create-project", organization.slug, "")
    assert refused.returncode == 1 and "400 invalid" in refused.stderr and "name:" in refused.stderr
