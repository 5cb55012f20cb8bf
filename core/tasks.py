"""The core's background jobs."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.core.mail import send_mail
from django.utils import timezone


@shared_task(name="core.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send a plain-text email from the product's sender; retried with backoff while the mail server is unreachable."""
    from core.email_delivery import sender, subject_line

    return send_mail(subject_line(subject), body, sender(), recipients)


@shared_task(name="core.clear_expired_sessions")
def clear_expired_sessions() -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="core.run_for_each_organization")
def run_for_each_organization(plugin: str, task: str, kwargs: dict | None = None) -> int:
    """Queue ``task`` once per organization that ``plugin`` is on for (``PeriodicTask(per_organization=True)``)."""
    from core.jobs import app
    from core.models import Organization
    from core.plugins import enablement

    ids = Organization.objects.order_by("pk").values_list("pk", flat=True)
    enabled = [pk for pk in ids if enablement.is_on(plugin, pk)]
    for organization_id in enabled:
        app.tasks[task].delay(organization_id=organization_id, **(kwargs or {}))
    return len(enabled)


@shared_task(name="core.flush_meter_usage")
def flush_meter_usage() -> int:
    """Write the metered usage this process buffered (``core.metering``); returns the rows written."""
    from core import metering

    return metering.flush()


@worker_process_shutdown.connect
def _flush_meter_usage_at_shutdown(**_: object) -> None:
    from core import metering

    metering.flush()
