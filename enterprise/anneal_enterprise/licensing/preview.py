"""What installing a license key would change, shown before anything is installed.

:func:`preview` verifies the key exactly as an install would, and compares it with the license
in force for the same product: who it is for, its dates and key kind, seats against the seats in
use, each feature's change, and every quota that current usage already exceeds. It writes
nothing; installing stays a separate step (:func:`.services.install`).

Feature changes:

* ``stays_on``: on now and granted by the new key;
* ``turns_on``: off (or read-only) now and granted by the new key;
* ``becomes_read_only``: on now, not granted by the new key, and holding data, which stays
  readable and exportable;
* ``turns_off``: on now, not granted by the new key, and holding nothing;
* ``stays_off``: neither on now nor granted by the new key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from anneal_enterprise.licensing import clock, feature_use, keyring, lifecycle, quotas, seats, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.verify import VerifiedLicense, check_installable, verify

Change = Literal["stays_on", "turns_on", "becomes_read_only", "turns_off", "stays_off"]
CHANGE_LABELS: dict[str, str] = {
    "stays_on": "stays on", "turns_on": "turns on", "becomes_read_only": "becomes read-only",
    "turns_off": "turns off", "stays_off": "stays off",
}


@dataclass(frozen=True)
class FeatureChange:
    feature: str
    now: str
    """``enabled``, ``read_only`` or ``unavailable``."""
    change: Change

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.change]


@dataclass(frozen=True)
class Preview:
    installable: bool
    refusal: LicenseRefused | None = None
    license: VerifiedLicense | None = None
    stage: str = ""
    replaces: str | None = None
    """The license id of the license in force for the same product, if any."""
    seats_in_use: int = 0
    features: list[FeatureChange] = field(default_factory=list)
    exceeded: list[quotas.QuotaUsage] = field(default_factory=list)
    """Quotas of the new key (seats included) that current usage already exceeds."""

    def as_json(self) -> dict[str, Any]:
        if self.license is None:
            assert self.refusal is not None
            return {"installable": False, "refusal": {"code": self.refusal.code, "detail": self.refusal.message}}
        claims = self.license.claims
        return {
            "installable": self.installable,
            "refusal": ({"code": self.refusal.code, "detail": self.refusal.message} if self.refusal else None),
            "license": claims.as_json(), "product": claims.product, "issuer": self.license.issuer,
            "key_id": self.license.key_id, "key_kind": self.license.key_kind, "stage": self.stage,
            "grace_ends_at": claims.grace_ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "replaces": self.replaces,
            "seats": {"licensed": claims.seats, "limit": claims.seat_limit, "in_use": self.seats_in_use,
                      "over": self.seats_in_use > claims.seats},
            "features": [{"feature": c.feature, "now": c.now, "change": c.change, "label": c.label}
                         for c in self.features],
            "quotas_exceeded": [q.as_json() for q in self.exceeded],
        }


def _state_now(feature: str) -> str:
    if status.grants(feature):
        return "enabled"
    return "read_only" if status.was_licensed(feature) else "unavailable"


def _change(now: str, granted: bool, feature: str) -> Change:
    if granted:
        return "stays_on" if now == "enabled" else "turns_on"
    if now != "enabled":
        return "stays_off"
    return "turns_off" if feature_use.in_use(feature) is False else "becomes_read_only"


def _feature_names(license: VerifiedLicense) -> list[str]:
    issuer = keyring.issuers().get(license.product)
    current = status.current().licenses.get(license.product)
    names = set(license.claims.features) | set(issuer.features if issuer else ())
    if current is not None and current.claims is not None:
        names |= current.claims.features
    return sorted(names)


def preview(text: str | bytes) -> Preview:
    """What installing ``text`` would do now. Never raises for a bad key: the refusal is in the preview."""
    try:
        license = verify(text)
    except LicenseRefused as refusal:
        return Preview(installable=False, refusal=refusal)
    now = clock.now()
    refusal: LicenseRefused | None = None
    try:
        check_installable(license, now)
    except LicenseRefused as error:
        refusal = error
    stage = lifecycle.stage(license.claims, now)
    granted = stage in lifecycle.IN_FORCE
    changes = [FeatureChange(name, state, _change(state, granted and name in license.claims.features, name))
               for name in _feature_names(license) for state in (_state_now(name),)]
    current = status.current().licenses.get(license.product)
    in_use = seats.seats_in_use()
    exceeded: list[quotas.QuotaUsage] = []
    if license.product == keyring.primary_product():
        seat_quota = quotas.QuotaUsage("seats", "seats", in_use, license.claims.seats)
        exceeded = [q for q in [seat_quota, *quotas.usage_for(license.claims)] if q.over]
    return Preview(
        installable=refusal is None, refusal=refusal, license=license, stage=stage,
        replaces=current.claims.license_id if current is not None and current.claims is not None else None,
        seats_in_use=in_use, features=changes, exceeded=exceeded,
    )
