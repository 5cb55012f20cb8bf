"""Deliveries against a real local HTTP receiver that fails and then recovers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from anneal_webhooks import services, signing
from anneal_webhooks.delivery import retry_delay
from anneal_webhooks.models import Delivery, Endpoint
from anneal_webhooks.tasks import deliver_due
from core.events import Target, emit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback", "jobs_in_process")]


@pytest.fixture
def endpoint(organization, receiver):
    return services.create_endpoint(organization, receiver.url, ["project.created"])


@pytest.fixture
def create_project(api_client_for, owner, organization, django_capture_on_commit_callbacks):
    """Create a project through the core's REST API and run what waits for the commit."""
    client = api_client_for(owner)

    def create(name):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": name},
                                   format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return create


def make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_subscribed_event_is_posted_with_a_valid_signature(endpoint, receiver, create_project):
    project = create_project("Website")

    [request] = receiver.received
    assert request.json["type"] == "project.created"
    assert request.json["target"] == {"type": "project", "id": str(project["id"]), "display": "website"}
    assert request.headers["Anneal-Event"] == "project.created"
    signing.verify(endpoint.secret, request.headers[signing.SIGNATURE_HEADER], request.body)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_response_code, request.headers["Anneal-Delivery"]) == (
        "succeeded", 200, str(delivery.pk))


def test_the_payload_leaves_out_the_clients_address_and_user_agent(endpoint, receiver, create_project):
    create_project("Website")
    assert not {"ip", "user_agent", "request_id"} & set(receiver.received[0].json)


def test_a_failing_receiver_is_retried_with_exponential_backoff_until_it_recovers(
        endpoint, receiver, create_project, settings):
    settings.ANNEAL_WEBHOOKS_RETRY_SECONDS = 30
    receiver.fail_next(2, status=503)
    create_project("Website")

    delivery = Delivery.objects.get()
    first = delivery.log.get()
    assert (delivery.status, delivery.attempts, first.response_code) == ("pending", 1, 503)
    assert delivery.next_attempt_at - first.attempted_at == timedelta(seconds=30)
    assert deliver_due.apply().get() == 0  # not due yet

    make_due(delivery)
    deliver_due.apply()
    delivery.refresh_from_db()
    second = delivery.log.get(number=2)
    assert delivery.next_attempt_at - second.attempted_at == timedelta(seconds=60)

    make_due(delivery)
    deliver_due.apply()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert [a.response_code for a in delivery.log.all()] == [503, 503, 200]
    assert Endpoint.objects.get().consecutive_failures == 0
    bodies = {r.body for r in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1
    for request in receiver.received:
        signing.verify(endpoint.secret, request.headers[signing.SIGNATURE_HEADER], request.body)


def test_backoff_doubles_and_is_capped(settings):
    settings.ANNEAL_WEBHOOKS_RETRY_SECONDS = 10
    settings.ANNEAL_WEBHOOKS_MAX_RETRY_SECONDS = 50
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 50, 50]


def test_a_delivery_gives_up_after_the_maximum_number_of_attempts(endpoint, receiver, create_project, settings):
    settings.ANNEAL_WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.default_status = 500
    create_project("Website")
    make_due(Delivery.objects.get())
    deliver_due.apply()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    make_due(delivery)
    assert deliver_due.apply().get() == 0


def test_a_redirect_counts_as_a_failure_and_is_not_followed(endpoint, receiver, create_project):
    receiver.fail_next(1, status=302)
    create_project("Website")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_response_code) == ("pending", 302)
    assert len(receiver.received) == 1


def test_an_unreachable_endpoint_is_logged_without_a_response_code(organization, create_project, receiver):
    services.create_endpoint(organization, "http://127.0.0.1:9/nothing-listens-here", ["*"])
    create_project("Website")
    attempt = Delivery.objects.get(event_type="project.created").log.get()
    assert attempt.response_code is None
    assert attempt.error == "could not connect"  # the organization admin learns nothing about the port


def test_events_of_unsubscribed_types_or_other_organizations_are_not_sent(
        endpoint, receiver, make_organization, organization):
    other = make_organization()
    with transaction.atomic():
        emit("project.created", organization=other, target=Target("project", "1", "x"))
        emit("project.updated", organization=organization, target=Target("project", "1", "x"))
    assert not Delivery.objects.exists()


def test_a_rolled_back_change_is_never_sent(endpoint, receiver, organization):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            emit("project.created", organization=organization, target=Target("project", "1", "x"))
            assert Delivery.objects.count() == 1
            raise RuntimeError("the change failed")
    assert not Delivery.objects.exists()
    assert receiver.received == []


def test_repeated_failures_disable_the_endpoint_and_email_only_the_admins(
        endpoint, receiver, create_project, settings, make_member, organization, captured_events):
    settings.ANNEAL_WEBHOOKS_DISABLE_AFTER = 3
    admin = make_member(organization, "admin", email="admin@example.com")
    make_member(organization, "member", email="member@example.com")
    receiver.default_status = 500
    for name in ["One", "Two", "Three"]:
        create_project(name)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 failed delivery attempts in a row" in endpoint.disabled_reason
    [message] = mail.outbox
    assert message.to == [admin.email, "owner@example.com"]
    assert endpoint.url in message.body and "enable it" in message.body
    disabled = [e for e in captured_events if e.type == "webhook.endpoint_disabled"]
    assert len(disabled) == 1 and disabled[0].actor.kind == "system"

    create_project("Four")
    assert Delivery.objects.count() == 3  # a disabled endpoint receives nothing new


def test_enabling_a_disabled_endpoint_sends_its_pending_deliveries(
        endpoint, receiver, create_project, settings):
    settings.ANNEAL_WEBHOOKS_DISABLE_AFTER = 2
    receiver.default_status = 500
    create_project("One")
    create_project("Two")
    endpoint.refresh_from_db()
    assert not endpoint.is_active and mail.outbox

    receiver.default_status = 200
    services.update_endpoint(endpoint, is_active=True)
    assert deliver_due.apply().get() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_only_one_of_two_concurrent_attempts_sends_a_delivery(endpoint, receiver, create_project):
    from anneal_webhooks.delivery import attempt

    receiver.fail_next(1)
    create_project("Website")
    delivery = Delivery.objects.get()
    make_due(delivery)
    assert attempt(str(delivery.pk)) is not None
    assert attempt(str(delivery.pk)) is None
    assert len(receiver.received) == 2


def test_an_event_with_unusual_data_is_still_sent_and_never_blocks_the_change(endpoint, receiver, organization,
                                                                               django_capture_on_commit_callbacks):
    class Odd:
        def __str__(self):
            return "odd value"

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emit("project.created", organization=organization, target=Target("project", "1", "x"),
                 data={"when": timezone.now(), "thing": Odd()})
    assert receiver.received[0].json["data"]["thing"] == "odd value"


def test_old_finished_deliveries_are_pruned_but_pending_ones_are_kept(endpoint, receiver, create_project, settings):
    from anneal_webhooks.delivery import prune

    settings.ANNEAL_WEBHOOKS_KEEP_DAYS = 30
    create_project("Sent")
    receiver.default_status = 500
    create_project("Pending")
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=31))

    assert prune() == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == ["pending"]


def test_the_diagnostics_count_endpoints_and_deliveries_without_content(endpoint, create_project):
    from anneal_webhooks.hooks import counts

    create_project("Website")
    found = counts()
    assert found["endpoints_active"] == 1 and found["deliveries_succeeded"] == 1
    assert all(isinstance(v, int) for v in found.values())


def test_another_endpoint_hears_that_a_failing_one_was_disabled(endpoint, receiver, create_project, settings,
                                                                organization):
    settings.ANNEAL_WEBHOOKS_DISABLE_AFTER = 1
    watcher = services.create_endpoint(organization, receiver.url + "/watcher", ["webhook.endpoint_disabled"])
    receiver.fail_next(1)
    create_project("Website")

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    notice = Delivery.objects.get(endpoint=watcher)
    assert notice.status == "succeeded" and notice.event_type == "webhook.endpoint_disabled"
    assert receiver.received[-1].path == "/hooks/watcher"
