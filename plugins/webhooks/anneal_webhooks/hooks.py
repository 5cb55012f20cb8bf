"""Runtime hooks of the webhooks plugin, registered by the core once apps are ready."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from core import access
from core.events import Event
from core.plugins import DiagnosticCollector, EventType, Meter, NavItem, PeriodicTask, SettingsSection, hookimpl
from core.roles import Permission

from anneal_webhooks.capture import record_deliveries

EVENT_TYPES = [
    EventType("webhook.endpoint_created", "A webhook endpoint was subscribed.", "webhook", "notice"),
    EventType("webhook.endpoint_updated", "A webhook endpoint was changed, enabled or disabled.", "webhook", "notice"),
    EventType("webhook.endpoint_deleted", "A webhook endpoint was removed.", "webhook", "notice"),
    EventType("webhook.secret_rotated", "A webhook endpoint's signing secret was replaced.", "webhook", "notice"),
    EventType("webhook.endpoint_disabled", "A webhook endpoint was disabled after repeated failures.",
              "webhook", "warning"),
]


@hookimpl
def anneal_event_types() -> list[EventType]:
    return EVENT_TYPES


@hookimpl
def anneal_meters() -> list[Meter]:
    return [Meter("webhooks.deliveries", "delivery", "Events delivered to a webhook endpoint (counted once, "
                  "when the endpoint accepts it; retries are not counted again).")]


@hookimpl
def anneal_event(event: Event) -> None:
    record_deliveries(event)


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [
        PeriodicTask("webhooks: retry due deliveries", "anneal_webhooks.deliver_due",
                     float(getattr(settings, "ANNEAL_WEBHOOKS_SWEEP_SECONDS", 15))),
        PeriodicTask("webhooks: delete old deliveries", "anneal_webhooks.prune", 3600.0),
    ]


def counts() -> dict[str, int]:
    from django.db.models import Count

    from anneal_webhooks.models import Delivery, Endpoint

    endpoints = dict(Endpoint.objects.values_list("is_active").annotate(n=Count("id")))
    deliveries = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
    return {
        "endpoints_active": endpoints.get(True, 0), "endpoints_disabled": endpoints.get(False, 0),
        **{f"deliveries_{status}": deliveries.get(status, 0) for status in Delivery.Status.values},
    }


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    return [DiagnosticCollector("webhooks", "Webhook endpoints and deliveries by status (counts only).", counts)]


def _is_admin(request: Any, organization: Any) -> bool:
    return access.allows_role(access.role_of(request.user, organization), Permission.MANAGE)


@hookimpl
def anneal_navigation(request: Any, organization: Any) -> list[NavItem]:
    if organization is None or not _is_admin(request, organization):
        return []
    return [NavItem("Webhooks", reverse("webhooks:endpoints", args=[organization.slug]),
                    section="organization", order=60)]


@hookimpl
def anneal_settings_sections(request: Any, organization: Any) -> list[SettingsSection]:
    return [SettingsSection("webhooks", "Webhooks", reverse("webhooks:endpoints", args=[organization.slug]),
                            order=60)]


@hookimpl
def anneal_urlpatterns() -> str:
    return "anneal_webhooks.web"


@hookimpl
def anneal_api_urlpatterns() -> str:
    return "anneal_webhooks.api"


@hookimpl
def anneal_egress_destinations() -> list[Any]:
    from core.plugins import EgressDestination

    from anneal_webhooks.models import Endpoint

    return [EgressDestination("Webhook endpoint", endpoint.description or f"Endpoint {endpoint.pk}", endpoint.url,
                              endpoint.organization.name)
            for endpoint in Endpoint.objects.select_related("organization")]
