"""Emails to an organization's owners about support access to it."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

from anneal_enterprise.support.models import SupportGrant
from core.email_delivery import sender, subject_line
from core.links import absolute_reverse
from core.models import Membership
from core.services.names import single_line
from core.times import readable_utc

logger = logging.getLogger("anneal.support")

SUBJECTS = {
    "created": "Support access to {org} was granted",
    "used": "Support signed in to {org}",
    "extended": "Support access to {org} was extended",
    "revoked": "Support access to {org} was revoked",
    "expired": "Support access to {org} has expired",
}


def owner_emails(grant: SupportGrant) -> list[str]:
    return list(
        Membership.objects.filter(organization_id=grant.organization_id, role="owner", user__is_active=True)
        .values_list("user__email", flat=True)
    )


def notify_owners(grant: SupportGrant, what: str, by: str = "") -> None:
    """Tell every owner; a mail failure is logged, never raised (the change already happened)."""
    org = grant.organization.name
    lines = [
        f"{SUBJECTS[what].format(org=org)}{f' by {by}' if by else ''}.",
        "",
        f"Reason: {grant.reason}",
        f"Ticket: {grant.ticket or '-'}",
        f"Scope: {grant.get_scope_display()}",
        f"Engineer: {grant.principal_name if grant.engineer else 'not signed in yet'}",
        f"Valid until: {readable_utc(grant.expires_at)}",
        "",
        "Every action support takes is recorded as an event attributed to them. An owner can revoke",
        "the grant at any time in the organization's settings: "
        + absolute_reverse("enterprise:support-access", grant.organization.slug),
    ]
    recipients = owner_emails(grant)
    if not recipients:
        return
    try:
        send_mail(subject_line(single_line(SUBJECTS[what].format(org=org))), "\n".join(lines), sender(), recipients)
    except Exception:
        logger.exception("Could not email the owners of %s about support access (%s)", org, what)
