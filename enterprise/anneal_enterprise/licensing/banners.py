"""What the license shows on pages: lifecycle and seat banners, and upgrade prompts.

Who sees which banner:

* expiring (30 days before expiry): instance admins (staff);
* grace period: instance admins and every organization owner or admin;
* expired (past grace): instance admins;
* over seats, or over a quota (organizations, projects, a meter this month): instance admins.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from anneal_enterprise.licensing import clock, quotas, seats, status
from core.times import when
from core.wording import counted

FEATURE_LABELS = {"sso": "Single sign-on (SSO)", "audit_log": "The audit log", "support": "Support access and bundles"}
PLURAL_FEATURES = {"support"}  # "Support access and bundles are part of ..."


def _day(moment: Any) -> str:
    return when(moment)


def license_url() -> str:
    return reverse("enterprise:license")


def _is_organization_admin(user: Any) -> bool:
    from core.models import Membership

    return Membership.objects.filter(user=user, role__in=("owner", "admin")).exists()


def banner(request: Any) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    snapshot = status.current()
    claims = snapshot.claims
    if claims is None:
        return None
    staff = bool(user.is_staff)
    stage = snapshot.stage()
    parts: list[str] = []
    link = format_html(' <a href="{}">Open the License page</a>.', license_url()) if staff else ""
    if stage == "expiring" and staff:
        days = max(0, (claims.expires_at - clock.now()).days)
        parts.append(format_html(
            '<div class="banner license-expiring" role="status">The Anneal Enterprise license for {} expires on {} '
            "(in {}). Install a renewed key before then.{}</div>", claims.licensee, _day(claims.expires_at), counted(days, "day"),
            link))
    elif stage == "grace" and (staff or _is_organization_admin(user)):
        parts.append(format_html(
            '<div class="banner license-grace" role="alert">The Anneal Enterprise license for {} expired on {}. '
            "Enterprise features keep working during the grace period, until {}. After that they switch off; "
            "no data is deleted. {}</div>",
            claims.licensee, _day(claims.expires_at), _day(claims.grace_ends_at),
            link or "Ask your Anneal administrator to install a renewed license key."))
    elif stage == "expired" and staff:
        parts.append(format_html(
            '<div class="banner license-expired" role="alert">The Anneal Enterprise license for {} ended on {}. '
            "Enterprise features are off and their data is read-only; password sign-in works for everyone.{}</div>",
            claims.licensee, _day(claims.grace_ends_at), link))
    if staff and stage in ("valid", "expiring", "grace"):
        usage = seats.usage_for_banner(snapshot)
        if usage.over:
            parts.append(format_html(
                '<div class="banner license-seats" role="alert">{} of {} licensed seats are in use. New invitations '
                "stop at {} seats; existing members keep signing in.{}</div>", usage.in_use, usage.seats, usage.limit, link))
    if staff and stage in ("valid", "expiring", "grace"):
        for quota in quotas.usage():
            if quota.over:
                parts.append(format_html(
                    '<div class="banner license-quota" role="alert">{} of {} licensed {} are in use{}. New ones stop '
                    "at {}; everything that exists keeps working.{}</div>", quota.in_use, quota.licensed, quota.label,
                    " this month" if quota.name.startswith("meter:") else "", quota.limit, link))
    return "".join(parts) or None


def upgrade_prompt(request: Any, feature: str) -> str | None:
    if feature not in FEATURE_LABELS:
        return None
    label = FEATURE_LABELS[feature]
    verb = "were" if feature in PLURAL_FEATURES else "was"
    user = getattr(request, "user", None)
    staff = bool(getattr(user, "is_staff", False))
    if status.was_licensed(feature):
        message = format_html("{} {} part of your Anneal Enterprise license, which is no longer in force. "
                              "Existing data stays readable and exportable; nothing new can be configured.", label, verb)
    else:
        message = format_html("{} {} part of Anneal Enterprise.", label, "are" if feature in PLURAL_FEATURES else "is")
    action = (format_html(' <a class="button" href="{}">Enter a license key</a>', license_url()) if staff
              else " Ask your Anneal administrator to install a license key.")
    return format_html('<div class="feature-unavailable upgrade-prompt" data-feature="{}">{}{}</div>',
                       feature, message, action)
