import pytest

from core.testing.contract import invalid_fields

from anneal_webhooks.models import Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]


@pytest.fixture
def organization(make_organization):
    return make_organization(name="Acme")


@pytest.fixture
def admin(make_member, organization):
    return make_member(organization, "admin")


def endpoints_url(organization):
    return f"/api/v1/plugins/webhooks/organizations/{organization.slug}/endpoints/"


def test_an_admin_subscribes_an_endpoint_and_sees_its_secret_only_once(api_client_for, admin, organization,
                                                                        receiver, captured_events):
    client = api_client_for(admin)
    response = client.post(endpoints_url(organization), {"url": receiver.url, "event_types": ["project.created"],
                                                         "description": "CI"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["is_active"]

    listed = client.get(endpoints_url(organization)).json()["results"]
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    [event] = [e for e in captured_events if e.type == "webhook.endpoint_created"]
    assert event.actor.user_id == admin.pk and "secret" not in event.diff


@pytest.mark.parametrize("role, status", [("member", 403), ("viewer", 403)])
def test_members_below_admin_are_refused(api_client_for, make_member, organization, role, status):
    client = api_client_for(make_member(organization, role))
    assert client.get(endpoints_url(organization)).status_code == status
    assert client.post(endpoints_url(organization), {"url": "https://example.com/", "event_types": ["*"]},
                       format="json").status_code == status


def test_a_non_member_gets_404(api_client_for, make_user, organization):
    assert api_client_for(make_user()).get(endpoints_url(organization)).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"url": "http://hooks.example.com/", "event_types": ["*"]}, "url"),
    ({"url": "https://10.1.2.3/", "event_types": ["*"]}, "url"),
    ({"url": "https://hooks.example.com/", "event_types": ["no.such_event"]}, "event_types"),
    ({"url": "https://hooks.example.com/", "event_types": []}, "event_types"),
    ({"url": "https://hooks.example.com/", "event_types": "project.created"}, "event_types"),
    ({"event_types": ["*"]}, "url"),
])
def test_invalid_subscriptions_are_refused_with_the_field_at_fault(api_client_for, admin, organization, body, field):
    response = api_client_for(admin).post(endpoints_url(organization), body, format="json")
    assert response.status_code == 400
    assert field in invalid_fields(response)
    assert not Endpoint.objects.exists()


def test_an_admin_changes_subscriptions_rotates_the_secret_and_deletes(api_client_for, admin, organization,
                                                                       receiver, captured_events):
    client = api_client_for(admin)
    created = client.post(endpoints_url(organization), {"url": receiver.url, "event_types": ["*"]},
                          format="json").json()
    detail = f"{endpoints_url(organization)}{created['id']}/"

    patched = client.patch(detail, {"event_types": ["project.deleted", "project.created"]}, format="json")
    assert patched.json()["event_types"] == ["project.created", "project.deleted"]
    rotated = client.post(f"{detail}rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert client.delete(detail).status_code == 204
    assert [e.type for e in captured_events if e.type.startswith("webhook.")] == [
        "webhook.endpoint_created", "webhook.endpoint_updated", "webhook.secret_rotated", "webhook.endpoint_deleted"]


def test_the_delivery_log_lists_each_attempt_with_its_response_code(
        jobs_in_process, api_client_for, admin, organization, receiver, django_capture_on_commit_callbacks):
    client = api_client_for(admin)
    created = client.post(endpoints_url(organization), {"url": receiver.url, "event_types": ["project.created"]},
                          format="json").json()
    receiver.fail_next(1, status=502)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": "Web"}, format="json")

    [delivery] = client.get(f"{endpoints_url(organization)}{created['id']}/deliveries/").json()["results"]
    assert delivery["status"] == "pending" and delivery["event_type"] == "project.created"
    assert [a["response_code"] for a in delivery["log"]] == [502]


def test_another_organizations_endpoint_is_not_found(api_client_for, admin, organization, make_organization):
    other = make_organization()
    endpoint = Endpoint.objects.create(organization=other, url="https://example.com/", event_types=["*"])
    client = api_client_for(admin)
    assert client.get(f"{endpoints_url(organization)}{endpoint.pk}/").status_code == 404
    assert client.get(f"{endpoints_url(organization)}{endpoint.pk}/deliveries/").status_code == 404


def test_event_types_list_the_cores_and_plugins_types(api_client_for, make_user):
    names = {t["name"] for t in api_client_for(make_user()).get("/api/v1/plugins/webhooks/event-types/").json()}
    assert {"project.created", "webhook.endpoint_disabled"} <= names


def test_the_routes_appear_in_the_openapi_schema(api_client_for, make_user):
    schema = api_client_for(make_user()).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/plugins/webhooks/organizations/{organization_slug}/endpoints/" in schema["paths"]
    assert "/api/v1/plugins/webhooks/organizations/{organization_slug}/endpoints/{endpoint_pk}/deliveries/" in (
        schema["paths"])


def test_an_admin_redelivers_a_delivery_through_the_api(
        jobs_in_process, api_client_for, admin, organization, receiver, django_capture_on_commit_callbacks):
    client = api_client_for(admin)
    created = client.post(endpoints_url(organization), {"url": receiver.url, "event_types": ["project.created"]},
                          format="json").json()
    receiver.fail_next(1, status=502)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": "Web"}, format="json")
    deliveries = f"{endpoints_url(organization)}{created['id']}/deliveries/"
    [delivery] = client.get(deliveries).json()["results"]

    response = client.post(f"{deliveries}{delivery['id']}/redeliver/")

    assert response.status_code == 202
    [again] = client.get(deliveries).json()["results"]
    assert again["status"] == "succeeded" and [a["response_code"] for a in again["log"]] == [502, 200]


def test_the_delivery_log_reads_its_page_by_primary_keys_first_as_every_api_list_does(
        api_client_for, admin, organization):
    import uuid
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from anneal_webhooks.models import Delivery

    endpoint = Endpoint.objects.create(organization=organization, url="https://example.com/", event_types=["*"])
    start = timezone.now()
    Delivery.objects.bulk_create(Delivery(endpoint=endpoint, event_id=uuid.uuid4(), event_type="project.created",
                                          body="{}", created_at=start - timedelta(minutes=n)) for n in range(5))
    client = api_client_for(admin)
    url = f"{endpoints_url(organization)}{endpoint.pk}/deliveries/?page_size=2"

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).json()
    reads = [q["sql"] for q in queries.captured_queries]
    rest = client.get(first["next"]).json()

    assert len(first["results"]) == len(rest["results"]) == 2
    assert not {d["id"] for d in first["results"]} & {d["id"] for d in rest["results"]}
    assert any('IN (SELECT U0."id" AS "pk" FROM "anneal_webhooks_delivery" U0' in sql for sql in reads), reads
