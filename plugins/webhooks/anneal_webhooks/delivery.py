"""Sending deliveries: one signed POST per attempt, exponential backoff, automatic disabling.

Several workers may look at the same delivery (the task sent after commit and the periodic
sweep). An attempt first *claims* the delivery by moving its ``next_attempt_at`` past the
request timeout in a single conditional UPDATE, so only one of them sends it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anneal_webhooks import notify, signing
from core import outbound
from anneal_webhooks.models import Delivery, DeliveryAttempt, Endpoint
from anneal_webhooks.services import DELIVERIES, disable_endpoint
from core.plugins import record_usage

logger = logging.getLogger("anneal_webhooks")

USER_AGENT = "Anneal-Webhooks/0.1"


@dataclass(frozen=True)
class Response:
    code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base, 2x base, 4x base..."""
    base = _setting("ANNEAL_WEBHOOKS_RETRY_SECONDS", 30)
    cap = _setting("ANNEAL_WEBHOOKS_MAX_RETRY_SECONDS", 21600)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def headers_for(delivery: Delivery, secret: str, timestamp: int | None = None) -> dict[str, str]:
    body = delivery.body.encode()
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Anneal-Event": delivery.event_type,
        "Anneal-Delivery": str(delivery.pk),
        "Anneal-Event-Id": str(delivery.event_id),
        signing.SIGNATURE_HEADER: signing.signature_header(secret, body, timestamp),
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` through ``core.outbound`` (checked, pinned, no redirects); any outcome is a :class:`Response`."""
    try:
        response = outbound.post(url, data=body, headers=headers, purpose="webhooks.delivery",
                                 timeout=_setting("ANNEAL_WEBHOOKS_TIMEOUT_SECONDS", 10), max_bytes=65536)
    except outbound.OutboundError as exc:
        return Response(None, str(exc)[:500])
    if response.ok:
        return Response(response.status)
    return Response(response.status, f"HTTP {response.status}"[:500])


def _claim(delivery_id: str, now: datetime) -> bool:
    lease = now + timedelta(seconds=_setting("ANNEAL_WEBHOOKS_TIMEOUT_SECONDS", 10) + 30)
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        ).update(next_attempt_at=lease)
    )


def attempt(delivery_id: str) -> Delivery | None:
    """Send a due delivery once and record the outcome; ``None`` if it was not due or is taken."""
    if not _claim(delivery_id, timezone.now()):
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = time.monotonic()
    response = post(endpoint.url, delivery.body.encode(), headers_for(delivery, endpoint.secret))
    duration_ms = int((time.monotonic() - started) * 1000)
    _record(delivery, endpoint, response, duration_ms)
    return delivery


def _record(delivery: Delivery, endpoint: Endpoint, response: Response, duration_ms: int) -> None:
    now = timezone.now()
    max_attempts = int(_setting("ANNEAL_WEBHOOKS_MAX_ATTEMPTS", 8))
    with transaction.atomic():
        delivery.attempts += 1
        DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, attempted_at=now,
                                       response_code=response.code, error=response.error, duration_ms=duration_ms)
        delivery.last_response_code, delivery.last_error = response.code, response.error
        if response.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, now, now
            record_usage(endpoint.organization_id, DELIVERIES)
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            if delivery.attempts >= max_attempts:
                delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        delivery.save()
    if not response.ok:
        logger.info("Webhook delivery %s to %s failed: %s", delivery.pk, endpoint.url,
                    response.error or response.code)
        _disable_if_failing(endpoint)


def _disable_if_failing(endpoint: Endpoint) -> None:
    limit = int(_setting("ANNEAL_WEBHOOKS_DISABLE_AFTER", 10))
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if not endpoint.is_active or endpoint.consecutive_failures < limit:
        return
    reason = f"Disabled after {endpoint.consecutive_failures} failed delivery attempts in a row."
    if disable_endpoint(endpoint, reason):
        notify.endpoint_disabled(endpoint, reason)


def due_ids(now: datetime | None = None, limit: int = 500) -> list[str]:
    now = now or timezone.now()
    return [
        str(pk) for pk in Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ]


def prune(now: datetime | None = None) -> int:
    """Delete succeeded and failed deliveries older than ``ANNEAL_WEBHOOKS_KEEP_DAYS``; keep pending ones."""
    cutoff = (now or timezone.now()) - timedelta(days=_setting("ANNEAL_WEBHOOKS_KEEP_DAYS", 30))
    old = Delivery.objects.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING)
    DeliveryAttempt.objects.filter(delivery__in=old).delete()
    count, _ = old.delete()
    return count
