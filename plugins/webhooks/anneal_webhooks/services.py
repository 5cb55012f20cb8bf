"""Subscribing, changing and removing endpoints. Each change emits an event in its transaction."""

from __future__ import annotations

from typing import Any, Iterable

from django.db import transaction
from django.utils import timezone

from core import metering
from core.events import Actor, Target, emit
from core.events import event_types as registered_event_types
from core.models import Organization
from core.plugins import EventType
from core.services.errors import PolicyRefused, ServiceError
from core.services.names import clean_name

from anneal_webhooks.models import Delivery, Endpoint, new_secret
from anneal_webhooks.targets import TargetNotAllowed, validate_url

ENDPOINT_FIELDS = ["url", "description", "event_types", "is_active"]


DELIVERIES = "webhooks.deliveries"


class WebhookError(ValueError):
    """A change that cannot be made, with a message a person can act on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def subscribable_event_types() -> dict[str, EventType]:
    """Every registered event type, by name (the core's and every plugin's)."""
    return dict(sorted(registered_event_types().items()))


def clean_event_types(names: Iterable[str]) -> list[str]:
    names = sorted({str(name).strip() for name in names if str(name).strip()})
    if not names:
        raise WebhookError("Choose at least one event type to send.", field="event_types")
    if "*" in names:
        return ["*"]
    known = subscribable_event_types()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise WebhookError(
            f"Unknown event type {', '.join(unknown)}; see /api/v1/plugins/webhooks/event-types/ for the list.",
            field="event_types",
        )
    return names


def clean_url(url: str) -> str:
    try:
        return validate_url(url)
    except TargetNotAllowed as exc:
        raise WebhookError(str(exc), field="url") from None


def endpoint_target(endpoint: Endpoint) -> Target:
    return Target("webhook_endpoint", str(endpoint.pk), endpoint.url)


def _snapshot(endpoint: Endpoint) -> dict[str, Any]:
    return {name: getattr(endpoint, name) for name in ENDPOINT_FIELDS}


def clean_description(value: Any) -> str:
    try:
        return clean_name(value, field="description", what="description", max_length=200)
    except ServiceError as exc:
        raise WebhookError(exc.message, field="description") from None


def create_endpoint(organization: Organization, url: str, event_types: Iterable[str], description: str = "",
                    created_by: Any = None) -> Endpoint:
    try:  # a new endpoint means new deliveries: refused when the license's delivery quota is used up
        metering.check(organization, DELIVERIES)
    except PolicyRefused as refused:
        raise WebhookError(refused.message) from None
    endpoint = Endpoint(organization=organization, url=clean_url(url), event_types=clean_event_types(event_types),
                        description=clean_description(description), created_by=created_by)
    with transaction.atomic():
        endpoint.save()
        emit("webhook.endpoint_created", organization=organization, target=endpoint_target(endpoint),
             after=_snapshot(endpoint))
    return endpoint


def update_endpoint(endpoint: Endpoint, **changes: Any) -> Endpoint:
    """Change ``url``, ``description``, ``event_types`` or ``is_active``.

    Enabling an endpoint clears its failure count and makes its pending deliveries due now.
    """
    before = _snapshot(endpoint)
    for name, value in changes.items():
        if name == "url":
            value = clean_url(value)
        elif name == "event_types":
            value = clean_event_types(value)
        elif name == "description":
            value = clean_description(value)
        elif name == "is_active":
            value = bool(value)
        else:
            raise WebhookError(f"Unknown endpoint field {name!r}.", field=name)
        setattr(endpoint, name, value)
    enabling = endpoint.is_active and not before["is_active"]
    if enabling:
        endpoint.consecutive_failures = 0
        endpoint.disabled_reason = ""
    with transaction.atomic():
        endpoint.save()
        if enabling:
            endpoint.deliveries.filter(status=Delivery.Status.PENDING).update(next_attempt_at=timezone.now())
        emit("webhook.endpoint_updated", organization=endpoint.organization_id, target=endpoint_target(endpoint),
             before=before, after=_snapshot(endpoint))
    return endpoint


def rotate_secret(endpoint: Endpoint) -> Endpoint:
    endpoint.secret = new_secret()
    with transaction.atomic():
        endpoint.save(update_fields=["secret"])
        emit("webhook.secret_rotated", organization=endpoint.organization_id, target=endpoint_target(endpoint))
    return endpoint


def delete_endpoint(endpoint: Endpoint) -> None:
    with transaction.atomic():
        emit("webhook.endpoint_deleted", organization=endpoint.organization_id, target=endpoint_target(endpoint),
             before=_snapshot(endpoint))
        endpoint.delete()


def disable_endpoint(endpoint: Endpoint, reason: str) -> bool:
    """Disable an endpoint after repeated failures; return whether this call disabled it."""
    with transaction.atomic():
        changed = Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_reason=reason[:300]
        )
        if changed:
            endpoint.is_active, endpoint.disabled_reason = False, reason[:300]
            emit("webhook.endpoint_disabled", organization=endpoint.organization_id,
                 target=endpoint_target(endpoint), actor=Actor.system("webhooks"),
                 before={"is_active": True}, after={"is_active": False}, data={"reason": reason})
    return bool(changed)


def redeliver(delivery: Delivery) -> None:
    """Queue a delivery again, as if it were new (the endpoint page's and the API's "redeliver")."""
    from anneal_webhooks.tasks import deliver

    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING, next_attempt_at=delivery.created_at)
    deliver.delay(str(delivery.pk))
