"""Every API operation and every web page and form, sent each class of hostile input: never a 5xx.

The operations come from the OpenAPI schema (core, enterprise and plugins); the pages from the
URL resolver. A route with a path parameter this module has no value for fails
``test_every_route_parameter_has_a_value`` instead of being skipped, so a new route is swept
as soon as it exists. The test client is built with ``raise_request_exception=False``: a view
that raises is seen as the 500 a client would get.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Callable, Iterator
from urllib.parse import quote

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# --- The hostile input, by class -------------------------------------------------------------

TEXT = {  # strings a JSON body or a form field carries
    "nul": "x\x00y",
    "control": "Acme\r\nBcc: victim@example.com\x1b[31m\x07\x85",
    "confusable": "\u0410cme\u202egnp.exe\u200b",  # Cyrillic А, right-to-left override, zero-width space
    "long": "a" * 20_000,
    "unicode_digit": "\u00b2",  # "²": str.isdigit() is true, int() fails
}
RAW_QUERY = {  # percent-encoded as a client would send them
    "nul": "%00x",
    "invalid_utf8": "%ff%fe%c3",
    "control": "a%0d%0aSet-Cookie:%20x=1",
    "confusable": quote(TEXT["confusable"]),
    "unicode_digit": "%C2%B2",  # "²": str.isdigit() is true, int() fails
    "huge_number": "99999999999999999999999",
}
WRONG_TYPES = [None, True, -1, 2**70, 1e308, [], {}, ["x"], {"$gt": ""}, [[[["deep"]]]]]
HUGE = 30 * 1024 * 1024


@functools.cache
def huge(kind: str) -> bytes:
    """A 30 MB body, built once when first sent."""
    return b'{"name": "' + b"a" * HUGE + b'"}' if kind == "json" else b"name=" + b"a" * HUGE

DEEP_JSON = b"[" * 100_000
BODIES: dict[str, tuple[bytes, str]] = {  # raw bodies: (bytes, content type)
    "invalid_utf8_json": (b'{"name": "\xff\xfe", "email": "\xc3"}', "application/json"),
    "lone_surrogate_json": (b'{"name": "\\ud800", "email": "a\\udc00@example.com"}', "application/json"),
    "escaped_nul_json": (b'{"name": "a\\u0000b", "email": "\\u0000@example.com"}', "application/json"),
    "deep_json": (DEEP_JSON, "application/json"),
    "deep_json_untyped": (DEEP_JSON, "text/plain"),
    "not_json": (b'{"name": ', "application/json"),
    "json_scalar": (b'"just a string"', "application/json"),
    "nul_form": (b"name=%00&email=%00%40example.com&role=%00", "application/x-www-form-urlencoded"),
    "invalid_utf8_form": (b"name=%ff&email=%fe", "application/x-www-form-urlencoded"),
    "nul_multipart": (
        b'--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\x00y\r\n--B--\r\n', "multipart/form-data; boundary=B"
    ),
}
WRONG_IDS = ["abc", "99999999999999999999999", "\u00b2", "-1", "0", "%00", "00000000-0000-0000-0000-000000000000",
             "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "9223372036854775808", "a" * 300]
QUERY_NAMES = ["search", "role", "cursor", "page", "page_size", "since", "until", "actor", "action", "target_type",
               "target_id", "organization", "from", "to", "next", "startIndex", "count", "filter", "state", "code"]


# --- The world every request is sent into -------------------------------------------------------


@dataclass
class World:
    owner: Any
    organization: Any
    values: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(make_user, make_organization, make_member, feature_flags, settings, oidc_issuer) -> World:
    from anneal_enterprise.audit import export
    from anneal_enterprise.audit.query import Filters
    from anneal_enterprise.audit.streaming import destinations
    from anneal_enterprise.sso import config
    from anneal_enterprise.support import access, bundles
    from anneal_prompts import services as prompts
    from anneal_webhooks import services as webhooks
    from anneal_webhooks.models import Delivery

    from core.models import Membership
    from core.services import invitations, projects, tokens

    for feature in ("sso", "audit_log", "support"):
        feature_flags.enable(feature)
    settings.ANNEAL_SSO_DNS_NAMESERVERS = ["127.0.0.1:9"]  # nothing answers: a domain check fails at once
    settings.ANNEAL_SSO_DNS_TIMEOUT = 0.02
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    owner = make_user(is_staff=True, is_superuser=True)
    organization = make_organization(owner=owner)
    member = make_member(organization, "member")
    project = projects.create_project(organization, "Website")
    invitation, invitation_token = invitations.invite(organization, "new@example.com", "member", owner)
    token, _ = tokens.create_token(owner, "laptop")
    provider = config.create_provider(organization, "oidc", name="Okta", issuer=oidc_issuer,
                                      client_id="anneal")
    domain = config.add_domain(organization, "example.com")
    bundle = bundles.create_bundle(owner, enqueue=False)
    grant, grant_token = access.create_grant(organization, owner, "Ticket 42")
    audit_export = export.request_export(organization, owner, "jsonl", Filters())
    prompt = prompts.create_prompt(project, "Greeting", "Hello {name}")
    endpoint = webhooks.create_endpoint(organization, "http://127.0.0.1:9/hook", ["prompt.deleted"])
    delivery = Delivery.objects.create(endpoint=endpoint, event_id=uuid.uuid4(), event_type="prompt.deleted", body="{}")
    destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook",
                                                        "url": "http://127.0.0.1:9/siem"})
    from core.models import Passkey

    passkey = Passkey.objects.create(user=owner, name="Key", credential_id="hostile-input-key", public_key=b"k")
    values = {
        "organization_slug": organization.slug, "slug": organization.slug, "project_slug": project.slug,
        "prompt_slug": prompt.slug, "number": "1", "membership_id": str(member.memberships.get().pk),
        "invitation_id": str(invitation.pk), "token_id": str(token.pk), "public_id": str(provider.public_id),
        "bundle_id": str(bundle.pk), "grant_id": str(grant.pk), "export_id": str(audit_export.pk),
        "endpoint_pk": str(endpoint.pk), "uidb64": "MQ", "token": invitation_token,
        "destination_id": str(destination.pk), "passkey_id": str(passkey.pk),
        # ids named after the resource that precedes them in the path
        "members": str(Membership.objects.get(user=member).pk), "invitations": str(invitation.pk),
        "tokens": str(token.pk), "domains": str(domain.pk), "endpoints": str(endpoint.pk),
        "deliveries": str(delivery.pk), "projects": project.slug, "organizations": organization.slug,
        "access": grant_token, "name": "webhooks",
    }
    return World(owner=owner, organization=organization, values=values)


def client_for(world: World, signed_in: bool, api: bool) -> Client:
    client = Client(raise_request_exception=False)
    if signed_in and api:
        from core.services.tokens import create_token

        _, value = create_token(world.owner, "hostile")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {value}"
    elif signed_in:
        client.force_login(world.owner)
    return client


# --- Routes: API operations from the schema, pages from the resolver ---------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with {name} placeholders
    query: tuple[str, ...]
    body: tuple[str, ...]  # property names of the request body


def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _properties(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str, ...]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = content.get("schema", {}).get("$ref", "")
    component = schema["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {}) if reference else {}
    return tuple(component.get("properties", {})) or ("name", "email", "role")


def api_operations() -> list[Operation]:
    schema = _schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            query = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            body = _properties(schema, operation) if method in {"post", "put", "patch"} else ()
            operations.append(Operation(method, path, query, body))
    return operations


def web_routes() -> list[str]:
    """Every page's route (``<converter:name>`` placeholders), outside the API and Django's admin."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    return sorted({"/" + route for route in walk(get_resolver().url_patterns, "")
                   if not route.startswith(("api/", "admin/"))})


SCIM_ROUTES = ["/api/v1/plugins/enterprise/sso/scim/v2/Users", "/api/v1/plugins/enterprise/sso/scim/v2/Groups",
               "/api/v1/plugins/enterprise/sso/scim/v2/Users/{id}", "/api/v1/plugins/enterprise/sso/scim/v2/Groups/{id}",
               "/api/v1/plugins/enterprise/sso/scim/v2/ServiceProviderConfig"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")


def fill(world: World, template: str, override: str | None = None) -> str:
    """``template`` with each parameter replaced by the world's value (the last one by ``override``)."""
    names = [m.group(1) or m.group(2) for m in _PLACEHOLDER.finditer(template)]
    filled = template
    for index, match in enumerate(_PLACEHOLDER.finditer(template)):
        name = match.group(1) or match.group(2)
        last = override is not None and index == len(names) - 1
        value = override if last else value_for(world, template, name, match.group(0))
        filled = filled.replace(match.group(0), value, 1)
    return filled


def value_for(world: World, template: str, name: str, placeholder: str) -> str:
    if name in ("id", "pk"):  # named after the resource before it: .../members/{id}/
        name = template.split(placeholder)[0].rstrip("/").rsplit("/", 1)[-1]
    if name == "id" or name not in world.values:
        raise KeyError(f"no value for {{{name}}} in {template}")
    return world.values[name]


# --- Sending and judging ---------------------------------------------------------------------


class Failures(list):
    def check(self, response: Any, what: str) -> None:
        if response.status_code >= 500:
            self.append(f"{what}: {response.status_code}")

    def assert_none(self) -> None:
        assert not self, f"{len(self)} requests answered 5xx:\n" + "\n".join(self[:40])


def send(client: Client, method: str, url: str, body: bytes | None = None, content_type: str = "",
         query: str = "") -> Any:
    extra: dict[str, Any] = {"QUERY_STRING": query} if query else {}
    if body is None:
        return client.generic(method.upper(), url, **extra)
    return client.generic(method.upper(), url, body, content_type=content_type, **extra)


def hostile_requests(operation: Operation) -> Iterator[tuple[str, bytes | None, str, str]]:
    """(label, body, content type, query string) for one operation."""
    names = operation.query + tuple(QUERY_NAMES)
    for label, value in RAW_QUERY.items():
        yield f"query {label}", None, "", "&".join(f"{n}={value}" for n in names)
    if not operation.body:
        return
    for label, value in TEXT.items():
        body = json.dumps({name: value for name in operation.body}).encode()
        yield f"json {label}", body, "application/json", ""
    for value in WRONG_TYPES:
        yield f"json wrong type {json.dumps(value)[:20]}", json.dumps({n: value for n in operation.body}).encode(), \
            "application/json", ""
    yield "json {}", b"{}", "application/json", ""
    yield "json list", b"[]", "application/json", ""
    for label, (body, content_type) in BODIES.items():
        yield label, body, content_type, ""
    yield "30 MB json", huge("json"), "application/json", ""
    yield "30 MB form", huge("form"), "application/x-www-form-urlencoded", ""


API_OPERATIONS = api_operations()


def _id(operation: Operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


@pytest.mark.parametrize("operation", API_OPERATIONS, ids=_id)
def test_no_api_operation_answers_5xx_to_hostile_input(world, operation):
    failures = Failures()
    for signed_in in (False, True):
        who = "owner" if signed_in else "anonymous"
        client = client_for(world, signed_in, api=True)
        url = fill(world, operation.path)
        for label, body, content_type, query in hostile_requests(operation):
            response = send(client, operation.method, url, body, content_type, query)
            failures.check(response, f"{who} {operation.method.upper()} {url} [{label}]")
        if _PLACEHOLDER.search(operation.path):
            for wrong in WRONG_IDS:
                wrong_url = fill(world, operation.path, override=wrong)
                failures.check(send(client, operation.method, wrong_url, b"{}", "application/json"),
                               f"{who} {operation.method.upper()} {wrong_url} [wrong id]")
    failures.assert_none()


def sweep_scim(world: World, route: str, wrong_types: bool) -> Failures:
    from anneal_enterprise.sso import config

    _, value = config.create_scim_token(world.organization)
    world.values["Users"] = str(world.owner.pk)
    world.values["Groups"] = "1"
    failures = Failures()
    for authorization in ("", f"Bearer {value}"):
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=authorization)
        url = fill(world, route)
        operation = Operation("post", route, (), ("userName", "displayName", "externalId", "members", "Operations"))
        for method in ("get", "post", "put", "patch", "delete"):
            for label, body, content_type, query in hostile_requests(operation):
                if label.startswith("json wrong type") != wrong_types:
                    continue
                if body is None or method in {"post", "put", "patch"}:
                    response = send(client, method, url, body, content_type or "application/scim+json", query)
                    failures.check(response, f"{method.upper()} {url} [{label}]")
            for wrong in WRONG_IDS if wrong_types and "{id}" in route else []:
                wrong_url = fill(world, route, override=quote(wrong, safe="%"))
                response = send(client, method, wrong_url, b"{}", "application/scim+json")
                failures.check(response, f"{method.upper()} {wrong_url} [wrong id]")
    return failures


@pytest.mark.parametrize("route", SCIM_ROUTES)
def test_no_scim_route_answers_5xx_to_hostile_input(world, route):
    sweep_scim(world, route, wrong_types=False).assert_none()


@pytest.mark.parametrize("route", SCIM_ROUTES)
def test_no_scim_route_answers_5xx_to_wrongly_typed_attributes_or_ids(world, route):
    sweep_scim(world, route, wrong_types=True).assert_none()


# --- Web pages and their forms ---------------------------------------------------------------


class _Forms(HTMLParser):
    """Every ``<form method=post>`` of a page: its action and its fields with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], set[str]]] = []
        self._current: tuple[str, dict[str, str], set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = (a.get("action", ""), {}, set())
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "textarea", "select", "button"} and a.get("name"):
            _, fields, hidden = self._current
            fields.setdefault(a["name"], a.get("value", ""))
            if a.get("type") in {"hidden", "submit"} or tag == "button":
                hidden.add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_on(html: str) -> list[tuple[str, dict[str, str], set[str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _encode(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()


HIDDEN_FIELD_CLASSES = {"confusable", "unicode_digit"}  # not a number, and a number int() refuses
FORM_FIELDS = ["name", "email", "password", "password1", "password2", "role", "description", "slug", "confirm",
               "action", "expires_at", "next", "url", "reason", "hours", "format", "retention_days", "id",
               "event_types", "body", "note", "version", "domain", "issuer", "client_id", "enforce"]


@pytest.mark.parametrize("route", web_routes())
def test_no_web_page_or_form_answers_5xx_to_hostile_input(world, route):
    failures = Failures()
    url = fill(world, route)
    for signed_in in (False, True):
        who = "owner" if signed_in else "anonymous"
        client = client_for(world, signed_in, api=False)
        for label, value in RAW_QUERY.items():
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            failures.check(send(client, "get", url, query=query), f"{who} GET {url} [query {label}]")
        page = client.get(url)
        failures.check(page, f"{who} GET {url}")
        forms = forms_on(page.content.decode(errors="replace")) if page.status_code == 200 else []
        forms.append((url, {name: "" for name in FORM_FIELDS}, set()))  # the route itself, with every usual field
        for action, fields, hidden in forms:
            target = action or url
            if not target.startswith("/"):
                continue
            for label, value in TEXT.items():
                if signed_in:
                    client.force_login(world.owner)  # a form (sign out, leave) may have ended the session
                hostile = {name: (original if name in hidden else value) for name, original in fields.items()}
                response = send(client, "post", target, _encode(hostile), "application/x-www-form-urlencoded")
                failures.check(response, f"{who} POST {target} [form {label}] from {url}")
                for name in hidden - {"csrfmiddlewaretoken"} if signed_in and label in HIDDEN_FIELD_CLASSES else []:
                    changed = {**fields, name: value}  # the form as sent, one hidden field (an id) changed
                    response = send(client, "post", target, _encode(changed), "application/x-www-form-urlencoded")
                    failures.check(response, f"{who} POST {target} [form {label} in {name}] from {url}")
            for label, (body, content_type) in BODIES.items():
                if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
                    failures.check(send(client, "post", target, body, content_type),
                                   f"{who} POST {target} [{label}] from {url}")
            failures.check(send(client, "post", target, huge("form"), "application/x-www-form-urlencoded"),
                           f"{who} POST {target} [30 MB form] from {url}")
        for wrong in WRONG_IDS if _PLACEHOLDER.search(route) else []:
            wrong_url = fill(world, route, override=quote(wrong, safe="%"))
            failures.check(client.get(wrong_url), f"{who} GET {wrong_url} [wrong id]")
    failures.assert_none()


# --- The sweep misses nothing ------------------------------------------------------------------


def test_every_route_parameter_has_a_value(world):
    missing = []
    for template in [op.path for op in API_OPERATIONS] + web_routes() + SCIM_ROUTES:
        try:
            fill(world, template)
        except KeyError as exc:
            if "scim" not in template:
                missing.append(str(exc))
    assert not missing, "add a value to the world fixture for: " + "; ".join(missing)


def test_the_schema_covers_every_api_route():
    """A DRF view routed under /api/ but left out of the schema would be missed by the API sweep."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from drf_spectacular.generators import SchemaGenerator

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    in_schema = {callback.cls for _, _, _, callback in generator.endpoints}
    routed = {callback.cls for route, callback in walk(get_resolver().url_patterns, "")
              if route.startswith("api/v1/") and hasattr(callback, "cls")}
    from rest_framework.routers import APIRootView

    missing = sorted(cls.__name__ for cls in routed - in_schema - {APIRootView})
    assert not missing, f"these API views are not in the schema, so the sweep misses them: {missing}"
