"""The core's background jobs."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone


@shared_task(name="core.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send a plain-text email; retried with backoff while the mail server is unreachable."""
    return send_mail(subject, body, None, recipients)


@shared_task(name="core.clear_expired_sessions")
def clear_expired_sessions() -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
