"""Telling an organization's admins and owners that an endpoint was disabled."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core.product import current as current_product
from core.email_delivery import sender
from core.models import User
from core.roles import Role

from anneal_webhooks.models import Endpoint

logger = logging.getLogger("anneal_webhooks")

ADMIN_ROLES = [Role.ADMIN.value, Role.OWNER.value]


def admin_emails(organization_id: int) -> list[str]:
    return list(
        User.objects.filter(
            memberships__organization_id=organization_id, memberships__role__in=ADMIN_ROLES, is_active=True
        ).order_by("email").values_list("email", flat=True)
    )


def endpoint_disabled(endpoint: Endpoint, reason: str) -> int:
    """Email the admins; return how many messages were sent. Mail errors are logged, not raised."""
    recipients = admin_emails(endpoint.organization_id)
    if not recipients:
        return 0
    context = {
        "endpoint": endpoint, "organization": endpoint.organization, "reason": reason,
        "url": f"{settings.BASE_URL}/plugins/webhooks/o/{endpoint.organization.slug}/endpoints/{endpoint.pk}/",
    }
    try:
        return send_mail(
            subject=f"{current_product().email_subject_prefix} Webhook endpoint disabled in {endpoint.organization.name}",
            message=render_to_string("anneal_webhooks/endpoint_disabled_email.txt", context),
            from_email=sender(),
            recipient_list=recipients,
        )
    except Exception:  # the endpoint stays disabled; the page and the event still say so
        logger.exception("Could not email the admins of %s about disabled endpoint %s",
                         endpoint.organization.slug, endpoint.url)
        return 0
