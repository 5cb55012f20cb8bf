"""The webhooks plugin meters its deliveries (``webhooks.deliveries``): once per delivered event,
retries not counted again; a used-up delivery quota refuses new endpoints, never deliveries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anneal_webhooks import services
from anneal_webhooks.models import Delivery
from anneal_webhooks.tasks import deliver_due
from core import metering

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback", "jobs_in_process")]



@pytest.fixture
def organization(make_organization):
    return make_organization(name="Acme")


@pytest.fixture
def create_project(api_client_for, organization, django_capture_on_commit_callbacks):
    client = api_client_for(organization.memberships.get().user)

    def create(name):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": name},
                                   format="json")
        assert response.status_code == 201, response.content

    return create


def test_each_delivered_event_is_metered_once_however_many_attempts_it_took(organization, receiver, create_project):
    services.create_endpoint(organization, receiver.url, ["project.created"])
    receiver.fail_next(1, status=503)
    create_project("First")
    assert metering.month_total("webhooks.deliveries", organization) == 0  # failed: nothing delivered yet
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliver_due.apply()
    create_project("Second")
    assert metering.month_total("webhooks.deliveries", organization) == 2
    assert [row.quantity for row in organization.meter_usage.all()] == [2]


def test_a_used_up_delivery_quota_refuses_new_endpoints_but_keeps_delivering(
        organization, receiver, create_project, settings):
    from anneal_enterprise.licensing.testing import licensed

    endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])
    with licensed(settings, quotas={"meters": {"webhooks.deliveries": 1}}):
        create_project("First")
        create_project("Second")  # the margin
        with pytest.raises(services.WebhookError, match="The license allows 1 webhooks.deliveries this month"):
            services.create_endpoint(organization, receiver.url, ["project.created"])
        create_project("Third")
        assert len(receiver.received) == 3 and endpoint.deliveries.filter(status="succeeded").count() == 3
