"""Just-in-time provisioning and completing an SSO sign-in, through the core's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import ExternalIdentity, IdentityProvider, VerifiedDomain
from anneal_enterprise.sso.policy import SESSION_KEY
from anneal_enterprise.sso.roles import groups_from, mapped_role
from core.events import Actor, Target, actor_context, emit
from core.models import Membership, User
from core.roles import Role
from core.services import organizations as organization_services
from core.services import users as user_services
from core.services.errors import ServiceError
from core.services.names import sanitize_name

BACKEND = "anneal_enterprise.sso.backends.SsoBackend"


class SignInRefused(Exception):
    """An SSO sign-in that must not go ahead; ``reason`` is logged, ``message`` is shown."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message or f"Single sign-on failed: {reason}."


@dataclass
class Identity:
    """What the identity provider asserted about the person."""

    subject: str
    email: str
    name: str = ""
    groups: list[str] | None = None
    claims: dict[str, Any] = field(default_factory=dict)


def identity_from_claims(provider: IdentityProvider, subject: str, claims: dict[str, Any]) -> Identity:
    email = claims.get(provider.email_attribute) or ""
    if isinstance(email, list):
        email = email[0] if email else ""
    name = claims.get(provider.name_attribute) or ""
    if isinstance(name, list):
        name = name[0] if name else ""
    return Identity(subject=subject, email=str(email).strip().lower(), name=sanitize_name(name, user_services.NAME_MAX),
                    groups=groups_from(claims, provider.groups_attribute), claims=claims)


def domain_is_verified(provider: IdentityProvider, email: str) -> bool:
    domain = email.rpartition("@")[2]
    return bool(domain) and VerifiedDomain.objects.verified().filter(organization=provider.organization, domain=domain).exists()


def _user_for(provider: IdentityProvider, identity: Identity) -> User:
    link = ExternalIdentity.objects.select_related("user").filter(provider=provider, subject=identity.subject).first()
    if link is not None:
        link.last_sign_in_at = timezone.now()
        link.save(update_fields=["last_sign_in_at"])
        return link.user
    if not identity.email or "@" not in identity.email:
        raise SignInRefused("the identity provider sent no email address",
                            "Your identity provider did not send an email address; ask your admin to release the "
                            f"{provider.email_attribute!r} attribute to Anneal.")
    existing = User.objects.filter(email=identity.email).first()
    if existing is not None:
        if not domain_is_verified(provider, identity.email):
            raise SignInRefused(
                "an account with this email exists and its domain is not verified for the organization",
                f"An Anneal account for {identity.email} already exists, and {provider.organization.name} has not "
                "verified that email domain, so it cannot be linked to your identity provider. Ask an admin of "
                f"{provider.organization.name} to add and verify the domain under Settings → SSO.",
            )
        user = existing
    else:
        user = user_services.create_user(identity.email, None, name=identity.name)
    ExternalIdentity.objects.create(provider=provider, subject=identity.subject, user=user,
                                    last_sign_in_at=timezone.now())
    return user


def _apply_membership(provider: IdentityProvider, user: User, identity: Identity) -> Membership:
    organization = provider.organization
    role = mapped_role(provider.role_mapping, provider.default_role, identity.groups)
    membership = Membership.objects.filter(organization=organization, user=user).select_related("user").first()
    if membership is None:
        return organization_services.add_member(organization, user, role or Role(provider.default_role))
    if role is not None and membership.role != role.value:
        try:
            organization_services.change_role(membership, role)
        except ServiceError:
            pass  # the last owner keeps ownership; the IdP cannot remove it
    return membership


def fail(request: HttpRequest, provider: IdentityProvider | None, reason: str, email: str = "") -> None:
    with transaction.atomic():
        emit(events.SIGN_IN_FAILED, organization=provider.organization if provider else None,
             target=Target("identity_provider", str(provider.public_id), provider.name) if provider else None,
             actor=Actor(kind="anonymous", display=email or "anonymous"),
             data={"reason": reason, "protocol": provider.kind if provider else None})


def sso_actor(provider: IdentityProvider) -> Actor:
    """The identity provider, as the actor of what a sign-in through it changes (``sso:<provider>``)."""
    return Actor(kind="sso", id=f"sso:{provider.name}", display=f"sso:{provider.name} ({provider.get_kind_display()})")


def complete_sign_in(request: HttpRequest, provider: IdentityProvider, identity: Identity) -> User:
    """Provision or find the user, apply the role mapping, start a session marked as SSO.

    The account, membership and role changes are attributed to the identity provider; the sign-in itself
    to the person. A provider that must assert MFA (``require_mfa``) and did not is refused first.
    """
    from anneal_enterprise.sso import idp_mfa

    idp_mfa.require(provider, identity.claims)
    with transaction.atomic(), actor_context(sso_actor(provider)):
        user = _user_for(provider, identity)
        if not user.is_active:
            raise SignInRefused("the account is deactivated",
                                "Your Anneal account is deactivated. Ask an admin of your organization.")
        _apply_membership(provider, user, identity)
        emit(events.SIGNED_IN, organization=provider.organization,
             target=Target("user", str(user.pk), user.email),
             actor=Actor(kind="user", id=str(user.pk), display=user.email, user_id=user.pk),
             data={"provider": str(provider.public_id), "protocol": provider.kind, "subject": identity.subject,
                   "groups": identity.groups})
    user.backend = BACKEND  # recorded by the core's user.signed_in event
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = [provider.organization_id]
    return user
