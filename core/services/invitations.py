from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core import product
from core.events import Target, emit
from core.links import absolute_reverse
from core.models import Invitation, Membership, Organization, User
from core.models.tokens import hash_token
from core.roles import Role
from core.services.errors import ServiceError
from core.services.names import single_line
from core.services.organizations import _add_member, _check
from core.tasks import send_email
from core.times import readable_utc


def invitation_target(invitation: Invitation) -> Target:
    return Target("invitation", str(invitation.pk), invitation.email)


def invite(organization: Organization, email: str, role: Role | str, invited_by: User | None) -> tuple[Invitation, str]:
    """Create an invitation and email its link. Returns the invitation and the link's token."""
    email = email.strip().lower()
    role = Role(role)
    _check("invitation.create", organization, {"email": email, "role": role.value})
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise ServiceError(f"{email} is already a member of {organization.name}.", code="already_member", field="email")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role.value, token_hash=hash_token(token),
            invited_by=invited_by, expires_at=timezone.now() + timedelta(days=settings.ANNEAL_INVITATION_DAYS),
        )
        emit("invitation.created", organization=organization, target=invitation_target(invitation),
             after={"email": email, "role": role.value})
        link = absolute_reverse("web:accept_invitation", token)
        subject = single_line(f"You are invited to {organization.name} on {product.current().name}")
        body = (
            f"{invited_by.display_name if invited_by else 'Someone'} invited you to join {organization.name} "
            f"as {role.value}.\n\nAccept the invitation: {link}\n\nThe link works until "
            f"{readable_utc(invitation.expires_at)}."
        )
        EmailMessage(subject, body, to=[email]).message()  # a header it cannot build undoes the invitation
        transaction.on_commit(lambda: send_email.delay(subject, body, [email]), robust=True)
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organization").filter(token_hash=hash_token(token)).first()


def accept(invitation: Invitation, user: User) -> Membership:
    if invitation.status != "pending":
        raise ServiceError(f"This invitation is {invitation.status}; ask for a new one.", code=invitation.status)
    if user.email.lower() != invitation.email:
        raise ServiceError(
            f"This invitation is for {invitation.email}; sign in with that address to accept it.",
            code="wrong_user",
        )
    with transaction.atomic():
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        emit("invitation.accepted", organization=invitation.organization, target=invitation_target(invitation))
        existing = Membership.objects.filter(organization=invitation.organization, user=user).first()
        return existing or _add_member(invitation.organization, user, Role(invitation.role))


def revoke(invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise ServiceError(f"This invitation is already {invitation.status}.", code=invitation.status)
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        emit("invitation.revoked", organization=invitation.organization, target=invitation_target(invitation))
