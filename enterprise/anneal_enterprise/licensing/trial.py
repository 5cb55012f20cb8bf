"""Offline trials: a signed trial grant shipped with the product, started once per instance.

A trial grant is a license key whose claims say ``"kind": "trial"`` and carry ``duration_days``
instead of dates; the edition's vendor signs it with one of its keys and ships it in its
distribution (:class:`core.plugins.TrialOffer`; for Anneal Enterprise itself, the
``ANNEAL_LICENSE_TRIAL_GRANT`` setting or a ``trial-grant.license`` shipped with the package).
An instance admin starts it: the instance records when (:class:`.models.Trial`, one row per
product, never deleted) and installs the grant as the edition's license from that moment for
``min(TrialOffer.days, duration_days)`` days. At the end the license lapses like any other
(:mod:`.lifecycle`): nothing is deleted, nobody is locked out, data stays readable and exportable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import IntegrityError, transaction

from anneal_enterprise.licensing import clock, keyring, lifecycle, product_issuer, services, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.trial_grant import TrialGrant, verify_grant
from anneal_enterprise.licensing.models import LicenseKey, Trial
from core import product
from core.events import Target, emit
from core.times import when

SETTING = "ANNEAL_LICENSE_TRIAL_GRANT"
SHIPPED_GRANT = "trial-grant.license"
ANNEAL_TRIAL_DAYS = 30


@dataclass(frozen=True)
class Offer:
    """The trial this instance's edition offers: the grant's text, its length, whether it is on."""

    grant: str
    days: int
    enabled: bool


def _anneal_grant() -> str:
    from django.conf import settings

    text = getattr(settings, SETTING, None) or os.environ.get(SETTING, "")
    if text:
        return str(text)
    shipped = resources.files("anneal_enterprise.licensing").joinpath("keys", SHIPPED_GRANT)
    return shipped.read_text("ascii") if shipped.is_file() else ""


def offer() -> Offer | None:
    """The edition's trial: the product's :class:`~core.plugins.TrialOffer`, or Anneal's own grant."""
    if product_issuer.edition_issuer() is not None:
        declared = product.current().licensing.trial  # type: ignore[union-attr]
        if declared is None or not declared.grant.strip():
            return None
        return Offer(declared.grant, int(declared.days), bool(declared.enabled))
    text = _anneal_grant()
    return Offer(text, ANNEAL_TRIAL_DAYS, True) if text.strip() else None


def _refusal(code: str, message: str) -> LicenseRefused:
    return LicenseRefused(code, message)


def _buy_hint() -> str:
    declared = product.current()
    where = declared.purchase_url or declared.contact_url
    return f"To keep its features, buy a license ({where}) and install its key on the License page." if where else (
        "To keep its features, buy a license from the vendor and install its key on the License page.")


def used_message(trial: Trial, edition: str) -> str:
    now = clock.now()
    ended = f"it ended on {when(trial.ends_at)}" if trial.ends_at <= now else f"it runs until {when(trial.ends_at)}"
    return (f"This instance already started its trial of {edition} on {when(trial.started_at)} ({ended}). "
            f"A trial can be started once per instance. {_buy_hint()}")


def _available() -> tuple[Offer, TrialGrant]:
    """The offer and its verified grant, or the reason no trial can start (other than one already used)."""
    edition = product_issuer.edition_label()
    available = offer()
    if available is None:
        raise _refusal("trial_unavailable", f"{edition} offers no trial on this instance: its distribution ships "
                       f"no trial grant. {_buy_hint()}")
    if not available.enabled:
        raise _refusal("trial_unavailable", f"Trials of {edition} are switched off by its vendor. {_buy_hint()}")
    started = Trial.objects.filter(product=keyring.primary_product()).first()
    if started is not None:
        raise _refusal("trial_used", used_message(started, edition))
    in_force = status.current().primary
    if in_force.claims is not None and in_force.stage() in lifecycle.IN_FORCE:
        raise _refusal("trial_unavailable", f"A license of {edition} is in force; a trial would add nothing.")
    grant = verify_grant(available.grant)
    primary = keyring.primary_product()
    if grant.product != primary:
        raise _refusal("other_product", f"The trial grant is for the product {grant.product!r}, but this instance's "
                       f"edition is {edition} ({primary!r}). Reinstall the product's distribution.")
    return available, grant


def state() -> dict[str, Any]:
    """What the pages and the API say about the trial: can one start, and if not, why; when it ran."""
    edition = product_issuer.edition_label()
    started = Trial.objects.filter(product=keyring.primary_product()).first()
    result: dict[str, Any] = {"edition": edition, "available": False, "reason": "", "days": None,
                              "started_at": started.started_at.isoformat() if started else None,
                              "ends_at": started.ends_at.isoformat() if started else None}
    if started is not None:
        result["reason"] = used_message(started, edition)
        return result
    try:
        available, grant = _available()
    except LicenseRefused as refusal:
        result["reason"] = refusal.message
        return result
    result.update(available=True, days=min(available.days, grant.duration_days))
    return result


def start(*, source: str, user: Any = None) -> LicenseKey:
    """Start the edition's trial now, once per instance; raises :class:`LicenseRefused` saying why not."""
    edition = product_issuer.edition_label()
    try:
        available, grant = _available()
        services.guard_environment(source, grant.product)
        with transaction.atomic():
            state_row = services.locked_state()  # concurrent starts queue here; the unique row decides
            existing = Trial.objects.filter(product=grant.product).first()
            if existing is not None:
                raise _refusal("trial_used", used_message(existing, edition))
            now = clock.now().replace(microsecond=0)
            days = min(available.days, grant.duration_days)
            claims = grant.claims(now, days)
            try:
                with transaction.atomic():
                    trial = Trial.objects.create(product=grant.product, license_id=grant.license_id, days=days,
                                                 started_at=now, ends_at=claims.grace_ends_at,
                                                 started_by=user if getattr(user, "pk", None) else None)
            except IntegrityError:
                raise _refusal("trial_used", used_message(Trial.objects.get(product=grant.product), edition)) from None
            previous = LicenseKey.objects.select_for_update().filter(is_active=True, product=grant.product).first()
            if previous is not None:
                LicenseKey.objects.filter(pk=previous.pk).update(is_active=False, removed_at=now)
            record = LicenseKey.objects.create(
                product=grant.product, key=available.grant.strip() + "\n", digest=grant.digest,
                license_id=grant.license_id, licensee=grant.licensee, key_id=grant.key_id, key_kind=grant.key_kind,
                claims=claims.as_json(), source=LicenseKey.Source.TRIAL, source_detail=source, installed_at=now,
                installed_by=user if getattr(user, "pk", None) else None)
            services.bump(state_row)
            emit("license.trial_started", target=Target("license", grant.license_id, f"Trial of {edition}"),
                 data={"product": grant.product, "days": days, "started_at": claims.as_json()["starts_at"],
                       "ends_at": claims.as_json()["expires_at"], "features": sorted(grant.features),
                       "key_id": grant.key_id, "key_kind": grant.key_kind, "source": source, "trial_id": trial.pk})
    except LicenseRefused as refusal:
        services.refuse(refusal, source)
        raise
    status.invalidate()
    return record


def report_end() -> bool:
    """Emit ``license.trial_ended`` once when the trial's time is over (the periodic license check calls it)."""
    now = clock.now()
    with transaction.atomic():
        services.locked_state()
        trial = Trial.objects.select_for_update().filter(ends_at__lte=now, ended_reported=False).first()
        if trial is None:
            return False
        trial.ended_reported = True
        trial.save(update_fields=["ended_reported"])
        active = LicenseKey.objects.filter(is_active=True, product=trial.product).first()
        emit("license.trial_ended", target=Target("license", trial.license_id, f"Trial of {product_issuer.edition_label()}"),
             data={"product": trial.product, "started_at": trial.started_at.isoformat(),
                   "ended_at": trial.ends_at.isoformat(),
                   "license_in_force": None if active is None else active.license_id,
                   "still_the_trial": bool(active and active.source == LicenseKey.Source.TRIAL)})
    return True
