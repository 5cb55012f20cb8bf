"""The API request path after its performance work still does what it did: who may see what,
tokens refused the moment they are revoked, request ids on responses and in log lines."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import ROOT, child_environment
from core.logging import JsonFormatter, RequestIdFilter
from core.models import ApiToken, Project
from core.plugins import hookimpl
from core.services.tokens import create_token

pytestmark = pytest.mark.django_db


def queries_on(captured: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"]]


def test_a_member_s_organization_and_role_come_from_one_query(api_client_for, make_organization, make_member):
    organization = make_organization()
    Project.objects.create(organization=organization, name="One", slug="one")
    client = api_client_for(make_member(organization, "viewer"))
    client.get(f"/api/v1/organizations/{organization.slug}/projects/")  # last use recorded, caches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/organizations/{organization.slug}/projects/")
    lookups = [q["sql"] for q in captured.captured_queries if '"core_project"' not in q["sql"]
               and ('"core_organization"' in q["sql"] or '"core_membership"' in q["sql"])]
    assert response.status_code == 200
    assert len(lookups) == 1
    assert response.json()["results"][0]["organization"] == organization.slug


def test_the_rows_reuse_the_organization_instead_of_joining_it(api_client_for, make_organization, make_member):
    organization = make_organization()
    for n in range(3):
        Project.objects.create(organization=organization, name=f"P{n}", slug=f"p{n}")
    client = api_client_for(make_member(organization, "viewer"))
    client.get(f"/api/v1/organizations/{organization.slug}/projects/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/organizations/{organization.slug}/projects/")
    rows = [q for q in queries_on(captured, "core_project") if "COUNT(" not in q]
    assert len(rows) == 1 and '"core_organization"' not in rows[0]
    assert {row["organization"] for row in response.json()["results"]} == {organization.slug}


def test_a_role_granted_by_a_plugin_opens_an_organization_to_a_non_member(
        anneal_plugin, api_client_for, make_organization, make_user):
    organization = make_organization()
    outsider = make_user()

    class GrantsViewer:
        @hookimpl
        def anneal_organization_role(self, user, organization):
            return "viewer" if user.pk == outsider.pk else None

    client = api_client_for(outsider)
    assert client.get(f"/api/v1/organizations/{organization.slug}/projects/").status_code == 404
    anneal_plugin(GrantsViewer())
    assert client.get(f"/api/v1/organizations/{organization.slug}/projects/").status_code == 200
    assert client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": "No"},
                       format="json").status_code == 403


def test_a_non_member_gets_404_for_an_organization_that_exists_and_one_that_does_not(
        api_client_for, make_organization, make_user):
    organization = make_organization()
    client = api_client_for(make_user())
    for slug in (organization.slug, "no-such-organization"):
        assert client.get(f"/api/v1/organizations/{slug}/projects/").status_code == 404


def test_a_viewer_may_read_but_not_write_and_a_member_may_write(api_client_for, make_organization, make_member):
    organization = make_organization()
    viewer = api_client_for(make_member(organization, "viewer"))
    member = api_client_for(make_member(organization, "member"))
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    assert viewer.post(url, {"name": "Nope"}, format="json").status_code == 403
    assert member.post(url, {"name": "Yes"}, format="json").status_code == 201
    assert viewer.delete(f"{url}yes/").status_code == 403


def test_every_response_carries_a_request_id_kept_from_a_well_formed_header(api_client_for, make_user):
    client = api_client_for(make_user())
    assert client.get("/api/v1/me/", HTTP_X_REQUEST_ID="trace-42.a_b")["X-Request-ID"] == "trace-42.a_b"
    generated = {client.get("/api/v1/me/")["X-Request-ID"] for _ in range(3)}
    assert len(generated) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", value) for value in generated)
    replaced = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="bad id\twith spaces")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_a_log_line_written_during_a_request_carries_its_request_id(anneal_plugin, api_client_for, make_user):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("anneal.test.request_path")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    class LogsEachTokenUse:
        @hookimpl
        def anneal_authentication_policy(self, user, method, request):
            logger.info("token used by %s", user.email)
            return None

    anneal_plugin(LogsEachTokenUse())
    try:
        response = api_client_for(make_user(email="logs@example.com")).get("/api/v1/me/",
                                                                          HTTP_X_REQUEST_ID="req-log-1")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert response.status_code == 200
    assert line["request_id"] == "req-log-1" and line["message"] == "token used by logs@example.com"


def test_a_session_signed_in_api_call_still_needs_its_csrf_token_to_write(web_client_for, make_organization, owner):
    from django.test import Client

    organization = make_organization(owner=owner)
    signed_in = web_client_for(owner)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    assert strict.get(url).status_code == 200
    refused = strict.post(url, {"name": "Forged"}, content_type="application/json")
    assert refused.status_code == 403 and not Project.objects.filter(name="Forged").exists()


@pytest.fixture
def owner(make_user):
    return make_user(email="session-owner@example.com")


def in_another_process(code: str) -> None:
    subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=ROOT, check=True,
                   env=child_environment(DJANGO_SETTINGS_MODULE="core.settings"), capture_output=True, timeout=120)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [
    "from core.services.tokens import revoke_token; revoke_token(ApiToken.objects.get(pk={pk}))",
    "ApiToken.objects.filter(pk={pk}).update(expires_at=timezone.now() - timedelta(seconds=1))",
    "User.objects.filter(api_tokens__pk={pk}).update(is_active=False)",
], ids=["revoked", "expired", "user-deactivated"])
def test_a_token_stopped_in_another_process_is_refused_on_its_very_next_use(make_user, change):
    """An attacker holding a token keeps using it while the owner stops it elsewhere: the request
    right after the other process committed is refused (no per-process cache of tokens)."""
    assert connection.vendor == "postgresql"
    token, value = create_token(make_user(), "stolen", timezone.now() + timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    for _ in range(3):  # used and warm in this process
        assert client.get("/api/v1/me/").status_code == 200
    in_another_process("from datetime import timedelta\nfrom django.utils import timezone\n"
                       "from core.models import ApiToken, User\n" + change.format(pk=token.pk))
    assert client.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_session_policy_still_ends_a_refused_browser_session_on_an_api_call(
        anneal_plugin, web_client_for, api_client_for, make_user):
    from core.plugins.types import Refusal

    user = make_user()

    class EndsSessions:
        @hookimpl
        def anneal_authentication_policy(self, user, method, request):
            return Refusal("Sessions are over.", "ended") if method == "session" else None

    browser = web_client_for(user)
    token_client = api_client_for(user)
    anneal_plugin(EndsSessions())
    response = browser.get("/api/v1/me/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in")
    assert browser.get("/api/v1/me/").status_code in (401, 403)  # signed out, not just redirected once
    assert token_client.get("/api/v1/me/").status_code == 200  # the policy was asked about sessions only


def test_serializer_fields_built_once_are_not_shared_between_instances():
    from core.api.serializers import ProjectSerializer

    first, second = ProjectSerializer(), ProjectSerializer()
    assert set(first.fields) == {"id", "organization", "name", "slug", "description", "created_at"}
    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].parent is first and second.fields["name"].parent is second
    first.fields["name"].max_length = 1  # one instance's change does not reach the next
    assert ProjectSerializer().fields["name"].max_length == 200


def test_a_project_of_another_organization_shows_its_own_organization(make_organization):
    from core.api.serializers import ProjectSerializer

    mine, theirs = make_organization(), make_organization()
    project = Project.objects.create(organization=theirs, name="Theirs", slug="theirs")
    data = ProjectSerializer(Project.objects.get(pk=project.pk), context={"organization": mine}).data
    assert data["organization"] == theirs.slug
