"""The support features' hook implementations."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from anneal_enterprise.support import access, conf, session
from anneal_enterprise.support.events import SUPPORT_EVENT_TYPES
from core.access import role_of
from core.plugins import EventType, NavItem, PeriodicTask, Refusal, SettingsSection, hookimpl
from core.roles import Permission, allows
from core.times import when


@hookimpl
def anneal_event_types() -> list[EventType]:
    return SUPPORT_EVENT_TYPES


@hookimpl
def anneal_urlpatterns() -> str:
    return "anneal_enterprise.support.urls"


@hookimpl
def anneal_api_urlpatterns() -> str:
    return "anneal_enterprise.support.api"


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [PeriodicTask("support-sweep", "anneal_support.sweep", 60.0)]


@hookimpl
def anneal_navigation(request: Any, organization: Any) -> list[NavItem]:
    if getattr(request.user, "is_staff", False):
        return [NavItem("Support bundles", reverse("enterprise:support-bundles"), section="admin", order=20,
                        feature="support")]
    return []


@hookimpl
def anneal_settings_sections(request: Any, organization: Any) -> list[SettingsSection]:
    return [SettingsSection("support-access", "Support access",
                            reverse("enterprise:support-access", args=[organization.slug]), order=80)]


@hookimpl
def anneal_organization_role(user: Any, organization: Any) -> str | None:
    if not access.is_support_principal(user):
        return None
    grant = access.active_grant_for_principal(user)
    if grant is None or grant.organization_id != organization.pk:
        return None
    from anneal_enterprise import entitlements

    if entitlements.state(entitlements.SUPPORT, organization) != "enabled":
        return None
    return grant.role


@hookimpl
def anneal_authentication_policy(user: Any, method: str, request: Any) -> Refusal | None:
    if not access.is_support_principal(user):
        return None
    if method != "session" or request is None:
        return Refusal("Support accounts sign in only through a customer's one-time support link.", "support_only")
    from anneal_enterprise.support.models import SupportGrant

    grant = SupportGrant.objects.select_related("organization").filter(principal_id=user.pk).first()
    if grant is not None:  # so a refusal's sign-out is attributed to support too
        request.anneal_actor = access.support_actor(grant)
    if grant is None or not grant.is_active() or session.grant_id(request) != grant.pk:
        return Refusal("Support access has ended: the customer revoked it or it expired.", "support_ended")
    from anneal_enterprise import entitlements

    if entitlements.state(entitlements.SUPPORT, grant.organization) != "enabled":
        return Refusal("Support access is not available without the support feature.", "support_unlicensed")
    if session.idle_seconds(request) > conf.idle_minutes() * 60:
        return Refusal(f"Your support session ended after {conf.idle_minutes():g} minutes without activity. "
                       "Ask the customer for a new grant to continue.", "support_idle")
    return None


PERSISTENT_ACCESS = {"invitation.create", "membership.create", "organization.create"}


@hookimpl
def anneal_action_policy(action: str, actor: Any, organization: Any, details: dict[str, Any]) -> Refusal | None:
    """Support may not open itself a way in that outlives the grant (an invitation, a membership)."""
    if getattr(actor, "kind", None) == "support" and action in PERSISTENT_ACCESS:
        return Refusal("Support access cannot invite people, add members or create organizations; "
                       "ask an owner of the organization to do it.", "support_not_allowed")
    return None


@hookimpl
def anneal_template_slot(slot: str, request: Any, context: dict[str, Any]) -> str | None:
    if slot == "banner":
        grant = getattr(request, "support_grant", None)
        if grant is None:
            return None
        return format_html(
            '<div class="banner support-banner" role="status" data-testid="support-banner">You are acting as '
            "<strong>{}</strong> in <strong>{}</strong> ({}) until {}. The customer sees every action you take."
            "</div>",
            grant.principal_name, grant.organization.name, grant.get_scope_display().lower(), when(grant.expires_at),
        )
    if slot == "organization" and context.get("organization") is not None:
        return _active_support_notice(request, context["organization"])
    if slot == "system" and getattr(request.user, "is_staff", False):
        return format_html(
            '<div class="card"><h2>Support</h2><p>Something wrong that you cannot fix? '
            '<a href="{}" id="build-support-bundle">Build a support bundle</a>: you choose what goes in, '
            "preview it, and only then download it for the vendor.</p></div>",
            reverse("enterprise:support-bundles"),
        )
    return None


def _active_support_notice(request: Any, organization: Any) -> str | None:
    """Tell the organization's members, on its overview, that support is (or may soon be) inside.

    The link to manage it is shown only to those who may open that page (admins and owners).
    """
    from django.utils import timezone

    from anneal_enterprise.support.models import SupportGrant

    active = list(SupportGrant.objects.filter(organization=organization, revoked_at__isnull=True,
                                              expires_at__gt=timezone.now()))
    if not active:
        return None
    items = format_html_join("", "<li>{} · {} · until {} · {}</li>", (
        (g.principal_name, g.get_scope_display().lower(), when(g.expires_at), g.reason) for g in active))
    manage = (format_html('<a href="{}">Manage support access</a>',
                          reverse("enterprise:support-access", args=[organization.slug]))
              if allows(role_of(request.user, organization), Permission.MANAGE) else "")
    return format_html(
        '<div class="card notice" data-testid="support-active"><strong>Vendor support has access to this '
        "organization.</strong><ul>{}</ul>{}</div>", items, manage,
    )
