"""The lifecycle of installed licenses: install, replace and remove, one product at a time.

Every change is an event and bumps the license version that every process watches. Each
product (Anneal Enterprise, each plugin vendor) has at most one license in force; installing a
key replaces only the license of the same product.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anneal_enterprise.licensing import clock, environment, keyring, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey, LicenseState
from anneal_enterprise.licensing.verify import VerifiedLicense, verify, verify_installable
from core.events import Target, emit

SOURCES_FROM_ENVIRONMENT = (LicenseKey.Source.ENVIRONMENT, LicenseKey.Source.FILE)


def summary(verified: VerifiedLicense) -> dict[str, Any]:
    """What events and the API say about a license: its claims and signing key, never the key text."""
    return {**verified.claims.as_json(), "key_id": verified.key_id, "key_kind": verified.key_kind}


def _record_summary(record: LicenseKey) -> dict[str, Any]:
    return {**record.claims, "key_id": record.key_id, "key_kind": record.key_kind}


def _target(license_id: str, licensee: str) -> Target:
    return Target("license", license_id, licensee)


def locked_state() -> LicenseState:
    LicenseState.objects.get_or_create(pk=1)
    return LicenseState.objects.select_for_update().get(pk=1)


def bump(state: LicenseState) -> None:
    state.version += 1
    state.changed_at = clock.now()
    state.over_seats_reported = False
    state.save()
    transaction.on_commit(status.invalidate)


def _environment_product() -> str:
    """The product of the key the environment sets (Anneal Enterprise when it cannot be read)."""
    found = environment.environment_key()
    if found is None:
        return keyring.primary_product()
    try:
        return verify(found[0]).product
    except LicenseRefused:
        return keyring.primary_product()


def guard_environment(source: str, product: str) -> None:
    configured = environment.environment_source()
    if configured is None or source in SOURCES_FROM_ENVIRONMENT or product != _environment_product():
        return
    raise LicenseRefused(
        "set_by_environment",
        f"The license is set by {configured}, which takes precedence over keys installed here. "
        f"Change or unset {configured}, then restart Anneal.",
    )


def refuse(refusal: LicenseRefused, source: str) -> None:
    """Record a refused key as an event (the licenses in force stay in force)."""
    with transaction.atomic():
        emit("license.refused", target=Target("license", None, "refused key"),
             data={"code": refusal.code, "reason": refusal.message, "source": source})


def install(text: str | bytes, *, source: str, detail: str = "", user: Any = None) -> LicenseKey:
    """Verify ``text`` and make it the license in force for its product.

    Raises :class:`LicenseRefused` (and records a ``license.refused`` event) when the key cannot be
    installed; the license already in force then stays in force. Installing the key already in
    force changes nothing.
    """
    try:
        verified = verify_installable(text, clock.now())
        guard_environment(source, verified.product)
    except LicenseRefused as refusal:
        refuse(refusal, source)
        raise
    key_text = text.decode("ascii") if isinstance(text, bytes) else text
    with transaction.atomic():
        state = locked_state()
        previous = (LicenseKey.objects.select_for_update()
                    .filter(is_active=True, product=verified.product).first())
        if previous is not None and previous.digest == verified.digest:
            return previous
        now = clock.now()
        if previous is not None:
            LicenseKey.objects.filter(pk=previous.pk).update(is_active=False, removed_at=now)
        record = LicenseKey.objects.create(
            product=verified.product, key=key_text.strip() + "\n", digest=verified.digest,
            license_id=verified.claims.license_id, licensee=verified.claims.licensee, key_id=verified.key_id,
            key_kind=verified.key_kind, claims=verified.claims.as_json(), source=source, source_detail=detail,
            installed_at=now, installed_by=user if getattr(user, "pk", None) else None,
        )
        bump(state)
        data = {**summary(verified), "source": source}
        if previous is None:
            emit("license.installed", target=_target(record.license_id, record.licensee), data=data)
        else:
            emit("license.replaced", target=_target(record.license_id, record.licensee),
                 before=_record_summary(previous), after=summary(verified), data=data)
    status.invalidate()
    return record


def remove(*, source: str, user: Any = None, product: str | None = None) -> LicenseKey | None:
    """Remove the license in force for ``product`` (the primary one by default); its features turn off. Data is kept."""
    product = product or keyring.primary_product()
    guard_environment(source, product)
    with transaction.atomic():
        state = locked_state()
        record = LicenseKey.objects.select_for_update().filter(is_active=True, product=product).first()
        if record is None:
            return None
        LicenseKey.objects.filter(pk=record.pk).update(is_active=False, removed_at=clock.now())
        bump(state)
        emit("license.removed", target=_target(record.license_id, record.licensee),
             before=_record_summary(record), data={"source": source, "product": product})
    status.invalidate()
    return record
