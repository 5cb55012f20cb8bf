"""The API's contract: one error format, a valid schema that documents every status, strict input."""

import json

import pytest
from openapi_spec_validator import validate

from core.testing.contract import ContractViolation, check_response, invalid_fields, openapi

pytestmark = pytest.mark.django_db
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(response.content)


@pytest.fixture
def owner(make_user, make_organization, api_client_for):
    user = make_user()
    organization = make_organization(owner=user)
    return api_client_for(user), organization


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    return body


def test_the_served_schema_is_valid_openapi(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_operation_documents_its_errors_with_the_problem_schema(schema):
    problem = {"$ref": "#/components/schemas/Problem"}
    missing = []
    for path, method, operation in operations(schema):
        expected = {"400", "401", "403", "406", "429"} | ({"404"} if "{" in path else set())
        expected |= {"415"} if method in {"post", "put", "patch"} else set()
        for code in expected:
            content = operation["responses"].get(code, {}).get("content", {})
            if content.get("application/problem+json", {}).get("schema") != problem:
                missing.append(f"{method.upper()} {path} {code}")
    assert missing == []


def test_the_schema_describes_one_object_where_the_server_answers_one(schema):
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    plugins = schema["paths"]["/api/v1/plugins/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "$ref" in me and plugins["type"] == "array"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_answers_a_problem_document_not_html(owner, method):
    client, _ = owner
    body = assert_problem(getattr(client, method)("/api/v1/no-such-thing/"), 404)
    assert body["code"] == "not_found"


def test_an_unknown_api_path_without_credentials_is_json_too(client):
    assert_problem(client.get("/api/v1/nothing/here/"), 404)


def test_a_missing_trailing_slash_is_named_in_the_404(owner):
    client, _ = owner
    assert "/api/v1/me/" in assert_problem(client.get("/api/v1/me"), 404)["detail"]


def test_no_trailing_slash_is_suggested_for_a_path_that_does_not_exist_with_one_either(owner):
    client, _ = owner
    assert "Did you mean" not in assert_problem(client.get("/api/v1/nope"), 404)["detail"]


def test_a_wrong_method_answers_405_as_a_problem_document(owner):
    client, _ = owner
    body = assert_problem(client.put("/api/v1/me/", {}, format="json"), 405)
    assert body["code"] == "method_not_allowed"


def test_no_credentials_answer_401_with_a_challenge(client):
    response = client.get("/api/v1/me/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_malformed_json_answers_a_problem_document(owner):
    client, organization = owner
    response = client.generic("POST", f"/api/v1/organizations/{organization.slug}/projects/", "{nope",
                              content_type="application/json")
    assert assert_problem(response, 400)["code"] == "parse_error"


def test_field_errors_name_each_field_with_a_stable_code(owner):
    client, organization = owner
    response = client.post(f"/api/v1/organizations/{organization.slug}/projects/",
                           {"name": "", "description": "x" * 5000}, format="json")
    body = assert_problem(response, 400)
    codes = {e["field"]: e["code"] for e in body["errors"]}
    assert codes["name"] == "blank"


def test_a_duplicate_project_answers_in_the_same_format_as_other_validation_errors(owner):
    client, organization = owner
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    client.post(url, {"name": "Site"}, format="json")
    body = assert_problem(client.post(url, {"name": "Site"}, format="json"), 400)
    assert body["code"] == "unique" and [e["field"] for e in body["errors"]] == ["slug"]
    assert not set(body) - PROBLEM_KEYS


@pytest.mark.parametrize("payload", [{"name": 123456}, {"name": 1.5}, {"name": True}, {"name": ["a"]},
                                     {"name": "Ok", "description": 7}])
def test_a_number_is_not_a_name(owner, payload):
    client, organization = owner
    response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", payload, format="json")
    assert_problem(response, 400)
    assert invalid_fields(response) & {"name", "description"}


def test_a_number_is_not_a_token_name_or_an_organization_name(owner):
    client, _ = owner
    assert client.post("/api/v1/tokens/", {"name": 5}, format="json").status_code == 400
    assert client.post("/api/v1/organizations/", {"name": 5}, format="json").status_code == 400


def test_unknown_fields_are_ignored(owner):
    client, organization = owner
    response = client.post(f"/api/v1/organizations/{organization.slug}/projects/",
                           {"name": "Docs", "colour": "red", "id": 999999}, format="json")
    assert response.status_code == 201 and "colour" not in response.json() and response.json()["id"] != 999999


def test_the_contract_client_fails_a_response_with_an_undocumented_status(owner):
    client, _ = owner
    response = client.get("/api/v1/me/")
    response.status_code = 418
    with pytest.raises(ContractViolation, match="Undocumented status"):
        check_response(response)


def test_the_contract_client_fails_a_body_that_contradicts_the_schema(owner):
    client, _ = owner
    response = client.get("/api/v1/me/")
    response.content = json.dumps([response.json()]).encode()
    with pytest.raises(ContractViolation):
        check_response(response)


def test_the_contract_client_fails_an_error_that_is_not_a_problem_document(owner):
    client, _ = owner
    response = client.get("/api/v1/no-such-thing/")
    response.content, response["Content-Type"] = b"<h1>Not Found</h1>", "text/html"
    with pytest.raises(ContractViolation):
        check_response(response)


def test_the_schema_is_parsed_once_per_process():
    assert openapi() is openapi()


def test_you_change_your_name_through_the_api_as_on_the_profile_page(make_user, api_client_for):
    user = make_user()
    client = api_client_for(user)
    response = client.patch("/api/v1/me/", {"name": "Ada", "email": "other@example.com"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Ada"
    user.refresh_from_db()
    assert (user.name, user.email != "other@example.com") == ("Ada", True)


def test_a_server_failure_under_the_api_is_a_problem_document_and_elsewhere_the_html_page(rf):
    from django.conf import settings
    from django.urls import get_resolver

    from core.api.errors import server_error

    assert settings.ROOT_URLCONF and get_resolver().resolve_error_handler(500) is server_error
    api = server_error(rf.get("/api/v1/projects/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/problem+json"
    assert json.loads(api.content)["code"] == "server_error"
    assert server_error(rf.get("/o/acme/"))["Content-Type"].startswith("text/html")


def test_problem_response_is_the_same_document_outside_drf():
    from core.api.errors import problem_response

    response = problem_response(400, "The body has a NUL byte.", "nul_byte",
                                [{"field": None, "code": "nul_byte", "detail": "The body has a NUL byte."}])
    body = json.loads(response.content)
    assert response["Content-Type"] == "application/problem+json" and set(body) == PROBLEM_KEYS
    assert (body["status"], body["title"], body["code"]) == (400, "Bad Request", "nul_byte")


def test_a_streamed_download_with_an_undocumented_status_fails_too(rf):
    import io

    from django.http import FileResponse

    response = FileResponse(io.BytesIO(b"records"))
    response.wsgi_request = rf.get("/api/v1/plugins/enterprise/audit/organizations/acme/exports/1/file")
    check_response(response)
    response.status_code = 418
    with pytest.raises(ContractViolation, match="Undocumented status"):
        check_response(response)


@pytest.mark.parametrize("payload", [{"name": "T", "expires_at": 5}])
def test_a_number_is_not_a_date(owner, payload):
    client, _ = owner
    assert client.post("/api/v1/tokens/", payload, format="json").status_code == 400


def test_json_numbers_and_booleans_must_have_their_json_type():
    from rest_framework import serializers

    class Settings(serializers.Serializer):
        enabled = serializers.BooleanField()
        port = serializers.IntegerField()

    def refused(data):
        serializer = Settings(data=data)
        serializer.is_valid()
        return set(serializer.errors)

    assert refused({"enabled": True, "port": 514}) == set()
    assert refused({"enabled": "true", "port": "514"}) == {"enabled", "port"}
    assert refused({"enabled": 1, "port": True}) == {"enabled", "port"}


def test_form_bodies_still_parse_numbers_and_booleans_from_text():
    from django.http import QueryDict
    from rest_framework import serializers

    class Settings(serializers.Serializer):
        enabled = serializers.BooleanField()
        port = serializers.IntegerField()

    form = Settings(data=QueryDict("enabled=true&port=514"))
    assert form.is_valid() and form.validated_data == {"enabled": True, "port": 514}


def test_the_api_answers_only_json_and_documents_406_for_other_formats(owner):
    client, _ = owner
    assert_problem(client.get("/api/v1/me/", HTTP_ACCEPT="application/xml"), 406)
    assert client.get("/api/v1/me/", HTTP_ACCEPT="text/html,*/*")["Content-Type"] == "application/json"


def test_the_contract_client_fails_a_drf_operation_the_schema_does_not_document(owner, rf):
    client, _ = owner
    response = client.get("/api/v1/me/")  # a DRF view's answer, as if served at a path the schema lacks
    response.wsgi_request = rf.get("/api/v1/undocumented/")
    with pytest.raises(ContractViolation, match="does not document"):
        check_response(response)


def test_nested_field_errors_are_named_by_dotted_paths():
    from rest_framework import serializers

    from core.api.errors import field_errors

    class Item(serializers.Serializer):
        name = serializers.CharField()

    class Order(serializers.Serializer):
        tags = serializers.ListField(child=serializers.CharField(max_length=3))
        items = Item(many=True)

    order = Order(data={"tags": ["ok", "too long"], "items": [{"name": "a"}, {}]})
    assert not order.is_valid()
    details = serializers.ValidationError(dict(order.errors)).get_full_details()
    named = {(e["field"], e["code"]) for e in field_errors(details)}
    assert named == {("tags.1", "max_length"), ("items.1.name", "required")}
