"""Events of organizations without endpoints cost no query; subscriptions made anywhere are followed."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anneal_webhooks import capture, services
from anneal_webhooks.models import Delivery, Endpoint
from core import shared_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback", "jobs_in_process")]


@pytest.fixture
def create_project(api_client_for, owner, organization, django_capture_on_commit_callbacks):
    client = api_client_for(owner)

    def create(name):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": name},
                                   format="json")
        assert response.status_code == 201, response.content
        return [q["sql"] for q in queries.captured_queries]

    return create


def endpoint_selects(statements):
    return [sql for sql in statements if "anneal_webhooks_endpoint" in sql]


def test_an_event_of_an_organization_without_endpoints_selects_no_endpoint(create_project, make_organization,
                                                                          receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_endpoint(make_organization(name="Other"), receiver.url, ["*"])  # someone else subscribes
    create_project("Warm-up")

    assert endpoint_selects(create_project("Website")) == []
    assert not Delivery.objects.filter(event_type="project.created").exists()


def test_an_endpoint_created_in_this_process_receives_the_next_event(organization, receiver, create_project,
                                                                     django_capture_on_commit_callbacks):
    create_project("Before")  # the cache now says: nobody subscribes
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])

    create_project("Website")

    [delivery] = Delivery.objects.all()
    assert delivery.endpoint == endpoint
    assert [r.json["target"]["display"] for r in receiver.received] == ["website"]


def test_an_endpoint_created_by_another_process_receives_events_after_the_next_version_poll(
        organization, receiver, create_project):
    create_project("Before")
    Endpoint.objects.bulk_create([Endpoint(organization=organization, url=receiver.url,  # no signal: elsewhere
                                           event_types=["project.created"])])
    with connection.cursor() as cursor:
        stamp = secrets.randbits(62)
        cursor.execute("INSERT INTO core_sharedversion (name, version) VALUES (%s, %s) ON CONFLICT (name) "
                       "DO UPDATE SET version = %s", [capture.SUBSCRIBED.name, stamp, stamp])
    shared_cache.expire_poll()  # the poll interval (one second) has passed

    create_project("Website")

    assert Delivery.objects.get().event_type == "project.created"
    assert len(receiver.received) == 1


def test_a_deleted_endpoint_stops_the_endpoint_query(organization, receiver, create_project,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])
    assert endpoint_selects(create_project("Website"))
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_endpoint(endpoint)
    create_project("Reload")  # the first event after the change reloads the subscriptions once

    assert endpoint_selects(create_project("Later")) == []

