"""On PostgreSQL a webhook batch is written as JSON by the database: what the receiver parses
must be exactly the events the API and exports show (``presentation.record_json``)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from anneal_enterprise.audit import sealing
from anneal_enterprise.audit.documents import signed_head
from anneal_enterprise.audit.models import AuditRecord
from anneal_enterprise.audit.presentation import record_json
from anneal_enterprise.audit.streaming import delivery, destinations
from core.services import projects

from .receivers import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(outbound_allow):
    outbound_allow("127.0.0.1")
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def test_streamed_events_are_exactly_the_records_as_the_api_shows_them(organization, receiver, tamper):
    destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook", "url": receiver.url})
    projects.create_project(organization, "Zoë \"quoted\" \\ ✓")
    tamper("INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id, "
           "actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id) VALUES "
           "(%s, %s, %s, 'retired.event', 'system', '', '', '', '', '', '', '', 'agent/1', '')",
           [str(uuid.uuid4()), organization.pk, timezone.now()])
    tamper("INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id, "
           "actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id) VALUES "
           "(%s, %s, %s, 'project.updated', 'user', '7', 'a\tb', 'project', '', 'p', %s, '10.0.0.1', '', 'r1')",
           [str(uuid.uuid4()), organization.pk, timezone.now(),
            '{"data":{"n":1.5,"big":12345678901234567890,"none":null},"diff":{"name":["\\u00e9","x\\ny"]}}'])
    sealing.seal()

    assert delivery.deliver(destination.pk)["state"] == "caught up"

    records = AuditRecord.objects.filter(organization_id=organization.pk).order_by("id")
    expected = [record_json(record) for record in records]
    expected[-1]["anneal_signed_head"] = signed_head(organization.pk)
    assert receiver.events == expected
    assert [event["category"] for event in receiver.events][-2] == "other"  # a type no plugin names any more


class RefusesTheSecondBatch(WebhookReceiver):
    """Answers 500 to the second POST only (each request reads ``status`` twice)."""

    reads = 0

    @property
    def status(self) -> int:
        self.reads += 1
        return 500 if self.reads in (3, 4) else 200

    @status.setter
    def status(self, value: int) -> None:
        pass


def test_a_batch_read_ahead_while_a_refused_batch_was_in_flight_is_not_skipped(organization, outbound_allow,
                                                                                settings):
    outbound_allow("127.0.0.1")
    receiver = RefusesTheSecondBatch().start()
    try:
        settings.ANNEAL_AUDIT_STREAM_BATCH = 2
        destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook", "url": receiver.url})
        for number in range(6):
            projects.create_project(organization, f"P{number}")
        sealing.seal()
        ids = list(AuditRecord.objects.filter(organization_id=organization.pk).order_by("id")
                   .values_list("id", flat=True))

        assert delivery.deliver(destination.pk)["state"] == "failing"
        destination.refresh_from_db()
        assert destination.cursor == ids[1]  # the first batch only: the one read ahead was not counted
        assert delivery.deliver(destination.pk)["state"] == "caught up"

        assert [event["id"] for event in receiver.events] == ids
    finally:
        receiver.stop()
