"""Streaming to a real local webhook receiver and a real syslog listener, including outages."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from django.utils import timezone

from anneal_enterprise.audit import sealing
from anneal_enterprise.audit.models import AuditDestination, AuditRecord
from anneal_enterprise.audit.streaming import delivery, destinations
from core.services import projects

from .receivers import SyslogListener, WebhookReceiver, self_signed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receivers_on_loopback_are_allowlisted(outbound_allow):
    """The receivers run on 127.0.0.1, which the outbound policy refuses unless allowlisted."""
    outbound_allow("127.0.0.1")


@pytest.fixture
def receiver():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def listener():
    listener = SyslogListener().start()
    yield listener
    listener.stop()


def add_events(organization, count: int, prefix: str = "P") -> None:
    for number in range(count):
        projects.create_project(organization, f"{prefix}{number}")
    sealing.seal()


def stream_ids(organization, after: int = 0) -> list[int]:
    return list(AuditRecord.objects.filter(organization_id=organization.pk, id__gt=after).order_by("id")
                .values_list("id", flat=True))


@pytest.fixture
def webhook(organization, receiver):
    sealing.seal()
    destination, secret = destinations.create(organization, {"name": "SIEM", "kind": "webhook", "url": receiver.url})
    destination.secret, destination.start = secret, destination.cursor
    return destination


def test_a_webhook_receives_signed_batches_in_order_with_event_ids(organization, receiver, webhook):
    add_events(organization, 5)
    result = delivery.deliver(webhook.pk)

    assert result["state"] == "caught up"
    batch = receiver.batches[0]
    headers = batch["headers"]
    expected = hmac.new(webhook.secret.encode(), headers["X-Anneal-Timestamp"].encode() + b"." + batch["raw"],
                        hashlib.sha256).hexdigest()
    assert headers["X-Anneal-Signature"] == f"v1={expected}"
    assert headers["X-Anneal-Verification-Token"] == webhook.verification_token
    ids = [event["id"] for event in receiver.events]
    assert ids == sorted(ids) and len(ids) == 6  # 5 projects and the destination's own creation
    assert all(event["event_id"] for event in receiver.events)


def test_batches_respect_the_batch_size(organization, receiver, webhook, settings):
    settings.ANNEAL_AUDIT_STREAM_BATCH = 3
    add_events(organization, 7)
    delivery.deliver(webhook.pk)

    assert [len(batch["body"]["events"]) for batch in receiver.batches] == [3, 3, 2]


def test_a_receiver_that_goes_down_mid_stream_gets_every_event_once_it_is_back(organization, receiver, webhook):
    add_events(organization, 4, "before")
    delivery.deliver(webhook.pk)
    receiver.stop()
    add_events(organization, 6, "during")

    failed = delivery.deliver(webhook.pk)
    destination = AuditDestination.objects.get(pk=webhook.pk)
    assert failed["state"] == "failing"
    assert destination.failing_since is not None and destination.attempts == 1
    assert destination.next_attempt_at > timezone.now()
    assert delivery.due_destinations() == []  # backing off

    delivery.deliver(webhook.pk)  # still down: the backoff grows, failing since stays
    again = AuditDestination.objects.get(pk=webhook.pk)
    assert again.attempts == 2 and again.failing_since == destination.failing_since

    receiver.start()
    add_events(organization, 2, "after")
    assert delivery.deliver(webhook.pk)["state"] == "caught up"

    assert [event["id"] for event in receiver.events] == stream_ids(organization, webhook.start)
    recovered = AuditDestination.objects.get(pk=webhook.pk)
    assert recovered.failing_since is None and recovered.last_error == ""


def test_a_refused_batch_is_sent_again_not_skipped(organization, receiver, webhook):
    add_events(organization, 3)
    receiver.status = 500
    assert delivery.deliver(webhook.pk)["error"].endswith("HTTP 500.")
    receiver.status = 200
    delivery.deliver(webhook.pk)

    assert [event["id"] for event in receiver.events] == stream_ids(organization, webhook.start)


def test_the_page_shows_failing_since(organization, receiver, webhook, client):
    receiver.stop()
    add_events(organization, 1)
    delivery.deliver(webhook.pk)
    client.force_login(organization.memberships.get().user)

    html = client.get(f"/plugins/enterprise/audit/organizations/{organization.slug}/").content.decode()
    assert "Failing since" in html


def test_a_destination_receives_only_the_event_types_it_asks_for(organization, receiver):
    sealing.seal()
    destination, _ = destinations.create(organization, {"name": "Deletes", "kind": "webhook", "url": receiver.url,
                                                        "event_types": "project.deleted"})
    add_events(organization, 3)
    projects.delete_project(organization.projects.first())
    sealing.seal()
    delivery.deliver(destination.pk)

    assert [event["action"] for event in receiver.events] == ["project.deleted"]
    assert AuditDestination.objects.get(pk=destination.pk).cursor == AuditRecord.objects.latest("id").id


def test_syslog_receives_rfc5424_messages_and_survives_a_listener_restart(organization, listener):
    sealing.seal()
    destination, _ = destinations.create(organization, {"name": "Syslog", "kind": "syslog", "host": "127.0.0.1",
                                                        "port": str(listener.port)})
    start = destination.cursor
    add_events(organization, 3, "one")
    delivery.deliver(destination.pk)
    listener.stop()
    add_events(organization, 3, "two")
    assert delivery.deliver(destination.pk)["state"] == "failing"
    listener.start()
    assert delivery.deliver(destination.pk)["state"] == "caught up"

    assert [event["id"] for event in listener.events] == stream_ids(organization, start)
    message = listener.messages[1].decode()
    assert re.match(r"<110>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \S+ anneal - project\.created "
                    r"\[anneal@32473 id=\"\d+\" eventId=\"[0-9a-f-]+\"", message), message


def test_syslog_over_tls_verifies_the_receiver_certificate(organization, tmp_path):
    import ssl

    cert, key = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = SyslogListener(tls=context).start()
    try:
        sealing.seal()
        trusted, _ = destinations.create(organization, {"name": "TLS", "kind": "syslog", "host": "127.0.0.1",
                                                        "port": str(listener.port), "tls": "on",
                                                        "tls_ca_pem": open(cert).read()})
        untrusted, _ = destinations.create(organization, {"name": "TLS, unknown CA", "kind": "syslog",
                                                          "host": "127.0.0.1", "port": str(listener.port),
                                                          "tls": "on"})
        add_events(organization, 2)

        assert delivery.deliver(trusted.pk)["state"] == "caught up"
        refused = delivery.deliver(untrusted.pk)
        assert refused["state"] == "failing" and refused["error"].endswith("could not connect.")
        from conftest import wait_for

        wait_for(lambda: len(listener.events) >= 3, timeout=5)
        assert [e["action"] for e in listener.events][-2:] == ["project.created", "project.created"]
    finally:
        listener.stop()


def test_nothing_is_streamed_without_the_feature(organization, receiver, webhook, audit_license):
    add_events(organization, 2)
    audit_license.enabled = False

    assert delivery.due_destinations() == []
    assert delivery.deliver(webhook.pk)["state"] == "audit log not licensed"
    assert receiver.batches == []


def test_backoff_doubles_up_to_a_cap(settings):
    settings.ANNEAL_AUDIT_STREAM_MAX_BACKOFF = 60
    assert [delivery.backoff_seconds(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "kind": "webhook", "url": "http://siem.example.com/hook"}, "https://"),
    ({"name": "x", "kind": "webhook", "url": "https://siem.example.com/", "event_types": "nope"}, "Unknown event"),
    ({"name": "x", "kind": "syslog", "host": "siem", "port": "99999"}, "TCP port"),
    ({"name": "", "kind": "syslog"}, "name"),
    ({"name": "x", "kind": "carrier-pigeon"}, "webhook or syslog"),
])
def test_invalid_destinations_are_refused_with_a_reason(organization, data, message):
    with pytest.raises(destinations.DestinationInvalid, match=message):
        destinations.create(organization, data)


def test_the_webhook_secret_is_encrypted_at_rest(webhook):
    stored = AuditDestination.objects.get(pk=webhook.pk)
    assert webhook.secret not in stored.encrypted_secret
    assert destinations.secret_of(stored) == webhook.secret


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_delivers_what_the_dispatcher_finds(organization, worker_audit_license,
                                                            celery_worker_process):
    from conftest import wait_for

    from anneal_enterprise.audit import tasks

    receiver = WebhookReceiver().start()
    try:
        sealing.seal()
        destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook", "url": receiver.url})
        add_events(organization, 4)
        tasks.dispatch_deliveries.delay()

        wait_for(lambda: len(receiver.events) == 5, timeout=30)
        assert [event["id"] for event in receiver.events] == stream_ids(organization, destination.cursor)
    finally:
        receiver.stop()
