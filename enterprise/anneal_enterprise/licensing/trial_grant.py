"""A trial grant: a license key of kind ``trial`` with a length instead of dates (see :mod:`.trial`).

:func:`verify_grant` checks a grant like any key (signature, issuer, product, features in the
issuer's scope); :func:`installed_claims` turns a started trial into the license it is in force
as, verified afresh from the grant and the instance's record of when the trial started.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from anneal_enterprise.licensing import clock, verify
from anneal_enterprise.licensing.claims import LicenseClaims
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey, Trial

KIND = "trial"


@dataclass(frozen=True)
class TrialGrant:
    """A verified trial grant."""

    license_id: str
    licensee: str
    product: str
    issued_at: datetime
    duration_days: int
    seats: int
    features: frozenset[str]
    grace_days: int
    key_id: str
    key_kind: str
    digest: str
    issuer: str

    def claims(self, started_at: datetime, days: int) -> LicenseClaims:
        """The license the trial is in force as, when it started at ``started_at`` and lasts ``days``."""
        start = started_at.replace(microsecond=0)
        return LicenseClaims(license_id=self.license_id, licensee=self.licensee, product=self.product,
                             issued_at=self.issued_at, starts_at=start, expires_at=start + timedelta(days=days),
                             seats=self.seats, features=self.features, grace_days=self.grace_days)


def _invalid(what: str) -> LicenseRefused:
    return LicenseRefused("malformed", f"The trial grant is signed but not a valid trial grant: {what}. "
                          "Reinstall the product's distribution, or ask its vendor for a license key.")


def _whole(data: dict[str, Any], name: str, minimum: int, default: int | None = None) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _invalid(f"{name} must be a whole number of at least {minimum}")
    return value


def verify_grant(text: str) -> TrialGrant:
    """Check a trial grant's signature, kind and scope; raises :class:`LicenseRefused` saying what is wrong."""
    doc, issuer, public = verify.authenticated(text, what="trial grant")
    try:
        data = json.loads(doc.claims_json)
    except ValueError:
        raise _invalid("its content is not JSON") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise _invalid(f'it does not say "kind": "{KIND}"')
    for name in ("license_id", "product"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise _invalid(f"{name} is missing")
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise _invalid("features must be a list of names")
    try:
        issued = datetime.fromisoformat(str(data.get("issued_at", "")).replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("issued_at is missing") from None
    grant = TrialGrant(
        license_id=data["license_id"], licensee=str(data.get("licensee") or "Trial"), product=data["product"],
        issued_at=issued, duration_days=_whole(data, "duration_days", 1), seats=_whole(data, "seats", 1),
        features=frozenset(features), grace_days=_whole(data, "grace_days", 0, 0), key_id=public.key_id,
        key_kind=public.kind, digest=verify._digest(doc), issuer=issuer.label)
    issuer = verify.trusted_issuer(issuer, public, grant.product)
    verify.check_issuer(grant.claims(clock.now(), grant.duration_days), issuer, public)
    return grant


def installed_claims(record: LicenseKey) -> tuple[TrialGrant, LicenseClaims]:
    """The license a started trial is in force as, verified afresh from its grant and the instance's record."""
    grant = verify_grant(record.key)
    trial = Trial.objects.filter(product=record.product).first()
    if trial is None:
        raise LicenseRefused("malformed", "The trial's record is missing; start a trial again or install a license key.")
    return grant, grant.claims(trial.started_at, min(trial.days, grant.duration_days))


