"""With PostgreSQL, Redis and a real Celery worker process (services mode only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anneal_webhooks import services, signing
from anneal_webhooks.models import Delivery
from anneal_webhooks.tasks import deliver_due
from conftest import wait_for

pytestmark = pytest.mark.services


def test_a_real_worker_delivers_a_failed_event_again_once_the_receiver_recovers(
        allow_loopback, receiver, celery_worker_process, make_user, make_organization, api_client_for):
    owner = make_user()
    organization = make_organization(owner=owner)
    endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])
    receiver.fail_next(1, status=500)

    response = api_client_for(owner).post(f"/api/v1/organizations/{organization.slug}/projects/",
                                          {"name": "Website"}, format="json")
    assert response.status_code == 201
    delivery = wait_for(lambda: Delivery.objects.filter(attempts=1).first())
    assert (delivery.status, delivery.last_response_code) == ("pending", 500)

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliver_due.delay()
    wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status="succeeded").exists())

    assert [a.response_code for a in Delivery.objects.get().log.all()] == [500, 200]
    assert len(receiver.received) == 2
    for request in receiver.received:
        signing.verify(endpoint.secret, request.headers[signing.SIGNATURE_HEADER], request.body)
