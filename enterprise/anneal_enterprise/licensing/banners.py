"""What the license shows on pages: lifecycle and seat banners, and upgrade prompts.

Who sees which banner:

* expiring (30 days before expiry): instance admins (staff);
* grace period: instance admins and every organization owner or admin;
* expired (past grace): instance admins;
* over seats, or over a quota (organizations, projects, a meter this month): instance admins;
* a trial: every day of it, instance admins and organization owners and admins see how many days
  are left and what happens at the end; when it ended, instance admins see that it did.

Upgrade prompts (the ``feature_unavailable`` slot) cover Anneal Enterprise's features and a
product's own: what the feature does, the trial for instance admins, and the product's purchase
and contact links (links only; nothing is fetched).
"""

from __future__ import annotations

import math
from typing import Any

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from anneal_enterprise.licensing import clock, product_issuer, quotas, seats, status
from anneal_enterprise.licensing.claims import FEATURES
from anneal_enterprise.licensing.models import LicenseKey
from core import features, product
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
    edition = product_issuer.edition_label()
    if snapshot.primary.source == LicenseKey.Source.TRIAL:
        trial_banner = _trial_banner(user, staff, stage, claims, edition, link)
        if trial_banner:
            parts.append(trial_banner)
    elif stage == "expiring" and staff:
        days = max(0, (claims.expires_at - clock.now()).days)
        parts.append(format_html(
            '<div class="banner license-expiring" role="status">The {} license for {} expires on {} '
            "(in {}). Install a renewed key before then.{}</div>", edition, claims.licensee, _day(claims.expires_at), counted(days, "day"),
            link))
    elif stage == "grace" and (staff or _is_organization_admin(user)):
        parts.append(format_html(
            '<div class="banner license-grace" role="alert">The {} license for {} expired on {}. '
            "Enterprise features keep working during the grace period, until {}. After that they switch off; "
            "no data is deleted. {}</div>",
            edition, claims.licensee, _day(claims.expires_at), _day(claims.grace_ends_at),
            link or f"Ask your {product.current().short_name} administrator to install a renewed license key."))
    elif stage == "expired" and staff:
        parts.append(format_html(
            '<div class="banner license-expired" role="alert">The {} license for {} ended on {}. '
            "Enterprise features are off and their data is read-only; password sign-in works for everyone.{}</div>",
            edition, claims.licensee, _day(claims.grace_ends_at), link))
    if staff and stage in ("valid", "expiring", "grace"):
        usage = seats.over_seats_for_banner(snapshot)
        if usage is not None and usage.over:
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


AT_THE_END = ("When it ends, its features switch off: nothing is deleted, nobody is locked out, and their data "
              "stays readable and exportable. Install a license key to keep them.")


def days_left(claims: Any) -> int:
    """Whole days until the trial's features switch off, counting a started day as a day."""
    return max(0, math.ceil((claims.grace_ends_at - clock.now()).total_seconds() / 86400))


def _trial_banner(user: Any, staff: bool, stage: str, claims: Any, edition: str, link: SafeString | str) -> str:
    if stage in ("valid", "expiring", "grace") and (staff or _is_organization_admin(user)):
        left = days_left(claims)
        return format_html(
            '<div class="banner license-trial" role="status" data-testid="trial-banner" data-days-left="{}">'
            "Trial of {}: <strong>{} left</strong>, until {}. {}{}{}</div>",
            left, edition, counted(left, "day"), _day(claims.grace_ends_at), AT_THE_END, _purchase_links(),
            link or format_html(" Ask your {} administrator to buy a license.", product.current().short_name))
    if stage == "expired" and staff:
        return format_html(
            '<div class="banner license-trial-ended" role="alert" data-testid="trial-banner">The trial of {} ended on '
            "{}. Its features are off and their data stays readable and exportable; nothing was deleted and everybody "
            "still signs in.{}{}</div>", edition, _day(claims.grace_ends_at), _purchase_links(), link)
    return ""


def _purchase_links() -> SafeString:
    declared = product.current()
    links = [(url, text) for url, text in ((declared.purchase_url, "Buy a license"),
                                           (declared.contact_url, "Contact sales")) if url]
    if not links:
        return mark_safe("")
    return format_html(" {}", format_html_join(
        " ", '<a href="{}" rel="noopener" data-testid="purchase-link">{}</a>', links))


def _is_edition_feature(feature: str) -> bool:
    return feature in FEATURES or product_issuer.is_product_feature(feature)


def _label(feature: str) -> str:
    return FEATURE_LABELS.get(feature) or feature.split(".", 1)[-1].replace("_", " ").capitalize()


def _description(feature: str) -> str:
    registered = features.registered().get(feature)
    return registered.description if registered is not None and registered.description else ""


def trial_button(request: Any, label: str = "Start a free trial") -> SafeString:
    """The one-click trial form (instance admins, when a trial can start); empty otherwise."""
    from anneal_enterprise.licensing import trial

    user = getattr(request, "user", None)
    if not getattr(user, "is_staff", False):
        return mark_safe("")
    offered = trial.state()
    if not offered["available"]:
        return mark_safe("")
    return format_html(
        '<form method="post" action="{}" class="inline trial-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="next" value="{}">'
        '<button type="submit" data-testid="start-trial">{} ({} days, no network needed)</button></form>',
        reverse("enterprise:license-trial"), get_token(request), getattr(request, "path", "") or license_url(),
        label, offered["days"])


def upgrade_prompt(request: Any, feature: str) -> str | None:
    if not _is_edition_feature(feature):
        return None
    edition = product_issuer.edition_label()
    label = _label(feature)
    plural = feature in PLURAL_FEATURES
    user = getattr(request, "user", None)
    staff = bool(getattr(user, "is_staff", False))
    description = _description(feature)
    what = format_html(' <span class="feature-description">{}</span>', description) if description else ""
    if status.was_licensed(feature):
        message = format_html("{} {} part of your {} license, which is no longer in force.{} "
                              "Existing data stays readable and exportable; nothing new can be configured.",
                              label, "were" if plural else "was", edition, what)
    else:
        message = format_html("{} {} part of {}.{}", label, "are" if plural else "is", edition, what)
    if staff:
        action = format_html(' {} <a class="button" href="{}">Enter a license key</a>', trial_button(request),
                             license_url())
    else:
        action = format_html(" Ask your {} administrator to install a license key.", product.current().short_name)
    return format_html('<div class="feature-unavailable upgrade-prompt" data-feature="{}">{}{}{}</div>',
                       feature, message, action, _purchase_links())
