"""The hostile-input guard and the fixes the issue names, each tested the way an attacker sends it."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIRequestFactory

from core.input_guard import MAX_JSON_DEPTH, json_depth
from core.models import Invitation, Organization, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def organization(make_organization, owner):
    return make_organization(owner=owner)


@pytest.fixture
def api(api_client_for, owner):
    client = api_client_for(owner)
    client.raise_request_exception = False
    return client


def field_errors(response) -> dict[str, str]:
    """The problem document's field errors, by field."""
    return {error["field"]: error["detail"] for error in response.json()["errors"]}


# --- NUL and invalid UTF-8, refused in one place --------------------------------------------------


def test_a_nul_in_a_search_is_a_400_with_the_api_error_body(api):
    response = api.get("/api/v1/organizations/", QUERY_STRING="search=%00x")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert response["Content-Type"] == "application/problem+json"
    assert {"type", "title", "status", "detail", "code", "errors"} == set(response.json())


def test_a_nul_in_the_role_filter_is_a_400(api, organization):
    response = api.get(f"/api/v1/organizations/{organization.slug}/members/", QUERY_STRING="role=%00")
    assert response.status_code == 400


def test_the_anonymous_sign_in_form_refuses_a_nul_with_a_400_page(client):
    response = client.post("/sign-in/", "email=%00x%40y.z&password=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert b"NUL character" in response.content


def test_an_escaped_nul_in_a_json_body_is_refused(api):
    response = api.post("/api/v1/organizations/", b'{"name": "Acme\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert not Organization.objects.filter(name__startswith="Acme").exists()


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api):
    response = api.post("/api/v1/organizations/", b'{"name": "Acme \\\\u0000"}', content_type="application/json")
    assert response.status_code == 201
    assert response.json()["name"] == "Acme \\u0000"


def test_a_nul_in_a_multipart_field_is_refused(api):
    body = b'--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\x00y\r\n--B--\r\n'
    response = api.post("/api/v1/organizations/", body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400


def test_invalid_utf8_in_the_query_string_is_refused(api):
    response = api.get("/api/v1/organizations/", QUERY_STRING="search=%ff%fe")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_utf8"


def test_invalid_utf8_in_a_json_body_is_refused(api):
    response = api.post("/api/v1/organizations/", b'{"name": "\xff"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_utf8"


def test_a_lone_surrogate_in_a_json_body_is_refused(api):
    response = api.post("/api/v1/organizations/", b'{"name": "x\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_utf8"


def test_a_nul_in_the_session_cookie_is_refused_before_the_session_is_looked_up(client):
    response = client.get("/", HTTP_COOKIE='sessionid="\\000aaaaaaaaaaaaaaaaaaaaa"')
    assert response.status_code == 400


def test_an_authorization_header_that_is_not_utf8_is_a_401(client):
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="\xe9 abc").status_code in (401, 403)


# --- Deep JSON and huge bodies ---------------------------------------------------------------


def test_deeply_nested_json_is_a_400_not_a_recursion_error(api):
    response = api.post("/api/v1/organizations/", b"[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_a_json_body_through_the_middleware_is_scanned_once(api, monkeypatch):
    from core import input_guard
    from core.api import parsers
    from core.web import hostile_input

    scans = []

    def counting(raw, where="JSON body"):
        scans.append(where)
        return input_guard.check_json(raw, where)

    monkeypatch.setattr(hostile_input, "check_json", counting)
    monkeypatch.setattr(parsers, "check_json", counting)
    response = api.post("/api/v1/organizations/", {"name": "Scanned once"}, format="json")
    assert response.status_code == 201
    assert len(scans) == 1


def test_the_api_parser_refuses_deep_json_even_without_the_middleware(owner):
    from core.api.views import OrganizationViewSet

    request = APIRequestFactory().post("/api/v1/organizations/", b"[" * 100_000, content_type="application/json")
    request.user = owner
    request._dont_enforce_csrf_checks = True
    from rest_framework.test import force_authenticate

    force_authenticate(request, owner)
    response = OrganizationViewSet.as_view({"post": "create"})(request)
    assert response.status_code == 400
    assert response.data["code"] == "json_too_deep"


def test_json_nested_to_the_limit_is_accepted_and_one_deeper_is_not():
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert json_depth(at_limit) == MAX_JSON_DEPTH
    assert json_depth(b"[" + at_limit + b"]") == MAX_JSON_DEPTH + 1


def test_brackets_inside_json_strings_do_not_count_as_depth():
    assert json_depth(json.dumps({"name": "[" * 1000}).encode()) == 1


def test_a_json_body_that_is_not_an_object_is_a_400(api):
    response = api.post("/api/v1/organizations/", b'"Acme"', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_object"


def test_a_30_mb_json_body_is_a_413(api):
    body = b'{"name": "' + b"a" * (30 * 1024 * 1024) + b'"}'
    response = api.post("/api/v1/organizations/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_30_mb_form_is_a_413_page(web_client_for, owner):
    client = web_client_for(owner)
    client.raise_request_exception = False
    response = client.post("/", b"name=" + b"a" * (30 * 1024 * 1024), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]


def test_scim_clients_get_refusals_in_scim_error_format(client):
    response = client.get("/api/v1/plugins/enterprise/sso/scim/v2/Users", QUERY_STRING="filter=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/scim+json"
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response.json()["scimType"] == "invalidSyntax"


def test_an_api_path_that_matches_no_route_is_a_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- The members endpoint -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["delete", "patch"])
def test_members_endpoint_without_credentials_is_refused_before_any_lookup(client, organization, method, owner):
    membership = owner.memberships.get()
    response = getattr(client, method)(f"/api/v1/organizations/{organization.slug}/members/{membership.pk}/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert owner.memberships.exists()


@pytest.mark.parametrize("method", ["get", "delete", "patch"])
@pytest.mark.parametrize("wrong_id", ["abc", "\u00b2", "99999999999999999999999"])
def test_members_endpoint_with_a_non_numeric_id_is_a_404(api, organization, method, wrong_id):
    response = getattr(api, method)(f"/api/v1/organizations/{organization.slug}/members/{wrong_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_changing_a_member_with_an_empty_body_names_the_missing_role(api, organization, make_member):
    member = make_member(organization, "member")
    url = f"/api/v1/organizations/{organization.slug}/members/{member.memberships.get().pk}/"
    response = api.patch(url, {}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"role": "Give the member's new role."}


# --- SSO providers ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("wrong_id", ["abc", "aaaa", "00000000", "%00"])
def test_sso_provider_endpoints_with_a_non_uuid_id_are_a_404(api, organization, feature_flags, method, wrong_id):
    feature_flags.enable("sso")
    url = f"/api/v1/plugins/enterprise/sso/organizations/{organization.slug}/providers/{wrong_id}/"
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("not_found", "nul_character")


def test_sso_provider_found_by_its_uuid_still_works(api, organization, feature_flags, oidc_issuer):
    from anneal_enterprise.sso import config

    feature_flags.enable("sso")
    provider = config.create_provider(organization, "oidc", name="Okta", issuer=oidc_issuer,
                                      client_id="anneal")
    url = f"/api/v1/plugins/enterprise/sso/organizations/{organization.slug}/providers/{provider.public_id}/"
    assert api.get(url).json()["name"] == "Okta"


# --- Names and mail headers ------------------------------------------------------------------


def test_an_organization_name_with_a_newline_is_refused_with_a_field_error(api):
    response = api.post("/api/v1/organizations/", {"name": "Acme\nBcc: victim@example.com"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"
    assert "name" in field_errors(response)
    assert not Organization.objects.filter(name__startswith="Acme").exists()


def test_renaming_an_organization_through_the_web_form_refuses_a_newline(web_client_for, owner, organization):
    response = web_client_for(owner).post(f"/o/{organization.slug}/settings/", {"name": "Acme\r\nX-Evil: 1"})
    assert response.status_code == 400
    assert b"control character" in response.content
    organization.refresh_from_db()
    assert "\n" not in organization.name


def test_inviting_into_an_organization_whose_stored_name_has_a_newline_sends_a_single_line_subject(
    api, organization, settings, jobs_in_process, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Organization.objects.filter(pk=organization.pk).update(name="Acme\nBcc: victim@example.com")  # legacy data
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/organizations/{organization.slug}/invitations/",
                            {"email": "new@example.com", "role": "member"}, format="json")
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].to == ["new@example.com"]


def test_an_invitation_whose_mail_cannot_be_built_is_not_created(organization, owner):
    from django.core.mail import BadHeaderError

    from core.services import invitations

    with pytest.raises(BadHeaderError):
        invitations.invite(organization, "new@example.com\nBcc: victim@example.com", "member", owner)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name", [
    "Acme\u202egnp.exe",  # right-to-left override
    "Ac\u200bme",  # zero-width space
    "\u0410cme",  # Cyrillic А in a Latin word
    "Acme\x1b[31m",  # terminal escape
    "Acme\u2028Corp",  # line separator
])
def test_project_names_refuse_invisible_control_and_look_alike_characters(api, organization, name):
    response = api.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": name}, format="json")
    assert response.status_code == 400
    assert "name" in field_errors(response)
    assert not Project.objects.filter(organization=organization).exists()


@pytest.mark.parametrize("name,stored", [
    ("Компания", "Компания"),  # one script: fine
    ("Cafe\u0301", "Caf\u00e9"),  # composed to NFC
    ("Team \U0001F469\u200d\U0001F4BB", "Team \U0001F469\u200d\U0001F4BB"),  # an emoji joined by ZWJ
    ("  Acme  ", "Acme"),
])
def test_ordinary_names_in_any_one_script_are_kept(api, organization, name, stored):
    response = api.post(f"/api/v1/organizations/{organization.slug}/projects/",
                        {"name": name, "slug": "p"}, format="json")
    assert response.status_code == 201, response.json()
    assert Project.objects.get(organization=organization).name == stored


def test_a_profile_name_with_a_newline_is_a_form_error(web_client_for, owner):
    response = web_client_for(owner).post("/profile/", {"name": "Eve\nAdmin"})
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.name == ""


def test_names_an_identity_provider_sends_are_cleaned_not_refused():
    from core.services.names import sanitize_name

    assert sanitize_name("Eve\u202e\nAdmin\u200b", 150) == "Eve Admin"
    assert len(sanitize_name("a" * 500, 150)) == 150


@pytest.mark.parametrize("wrong_id", ["abc", "\u00b2", "", None, "1.5"])
def test_object_or_404_answers_404_for_an_id_of_the_wrong_shape(organization, wrong_id):
    from django.http import Http404

    from core.plugins.web import object_or_404

    with pytest.raises(Http404):
        object_or_404(Project, organization=organization, pk=wrong_id)


def test_a_form_id_that_is_not_a_number_is_a_404_on_the_support_access_page(web_client_for, owner, organization,
                                                                          feature_flags):
    feature_flags.enable("support")
    client = web_client_for(owner)
    client.raise_request_exception = False
    response = client.post(f"/plugins/enterprise/support/o/{organization.slug}/access/",
                           {"action": "revoke", "grant": "abc"})
    assert response.status_code == 404


def test_a_content_length_that_is_not_a_number_is_a_400(client):
    response = client.generic("POST", "/sign-in/", b"email=a", CONTENT_LENGTH="abc",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


BAD_NAME = "Evil\u202eCorp"


def test_api_token_names_are_clean_names(api):
    response = api.post("/api/v1/tokens/", {"name": BAD_NAME}, format="json")
    assert response.status_code == 400
    assert "name" in field_errors(response)


def test_identity_provider_names_are_clean_names(organization, feature_flags):
    from anneal_enterprise.sso import config

    from core.services.errors import ServiceError

    feature_flags.enable("sso")
    with pytest.raises(ServiceError) as refused:
        config.create_provider(organization, "oidc", name=BAD_NAME, issuer="http://127.0.0.1:9", client_id="x")
    assert refused.value.field == "name"


def test_prompt_names_and_webhook_descriptions_are_clean_names(organization, outbound_allow):
    from anneal_prompts import services as prompts
    from anneal_webhooks import services as webhooks

    from core.services.projects import create_project

    outbound_allow("127.0.0.1")
    project = create_project(organization, "Website")
    with pytest.raises(prompts.PromptError) as refused:
        prompts.create_prompt(project, BAD_NAME, "Hello")
    assert refused.value.field == "name"
    with pytest.raises(webhooks.WebhookError) as refused_too:
        webhooks.create_endpoint(organization, "http://127.0.0.1:9/hook", ["prompt.deleted"], description=BAD_NAME)
    assert refused_too.value.field == "description"
