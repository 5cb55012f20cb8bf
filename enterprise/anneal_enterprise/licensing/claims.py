"""What a license says: who it is for, from when to when, how many seats, which features, which quotas.

``quotas`` is optional (keys issued before quotas existed have none and keep working):
``{"organizations": 10, "projects": 50, "meters": {"webhooks.deliveries": 100000}}``, each a
positive whole number; a meter's quota is a quantity per calendar month (UTC).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

PRODUCT = "anneal"
FEATURES = ("sso", "audit_log", "support")
EXPIRY_WARNING = timedelta(days=30)
SEAT_OVERAGE = 0.10
QUOTA_NAMES = ("organizations", "projects")


@dataclass(frozen=True)
class LicenseClaims:
    license_id: str
    licensee: str
    product: str
    issued_at: datetime
    starts_at: datetime
    expires_at: datetime
    seats: int
    features: frozenset[str]
    grace_days: int
    quotas: dict[str, int] = field(default_factory=dict, hash=False)
    """``organizations`` and ``projects`` limits, when the license sets them."""
    meter_quotas: dict[str, int] = field(default_factory=dict, hash=False)
    """Monthly quantity per meter name, when the license sets them."""

    @property
    def grace_ends_at(self) -> datetime:
        return self.expires_at + timedelta(days=self.grace_days)

    @property
    def warning_starts_at(self) -> datetime:
        return self.expires_at - EXPIRY_WARNING

    @property
    def seat_limit(self) -> int:
        """Seats plus the 10% soft overage (at least one extra seat), beyond which invitations stop."""
        return self.seats + max(1, int(self.seats * SEAT_OVERAGE))

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "license_id": self.license_id, "licensee": self.licensee, "product": self.product,
            "issued_at": _iso(self.issued_at), "starts_at": _iso(self.starts_at),
            "expires_at": _iso(self.expires_at), "seats": self.seats,
            "features": sorted(self.features), "grace_days": self.grace_days,
        }
        if self.quotas or self.meter_quotas:
            data["quotas"] = {**self.quotas, **({"meters": dict(self.meter_quotas)} if self.meter_quotas else {})}
        return data


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} is missing")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{name} has no time zone")
    return moment.astimezone(timezone.utc)


def _positive(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{what} must be a positive whole number")
    return value


def _quotas(data: Any) -> tuple[dict[str, int], dict[str, int]]:
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ValueError("quotas must be a JSON object")
    unknown = sorted(set(data) - {*QUOTA_NAMES, "meters"})
    if unknown:
        raise ValueError(f"quotas has unknown entries: {', '.join(unknown)}")
    limits = {name: _positive(data[name], f"quotas.{name}") for name in QUOTA_NAMES if name in data}
    meters = data.get("meters", {})
    if not isinstance(meters, dict) or not all(isinstance(name, str) and name for name in meters):
        raise ValueError("quotas.meters must map meter names to monthly quantities")
    return limits, {name: _positive(value, f"quotas.meters.{name}") for name, value in meters.items()}


def parse(data: dict[str, Any] | bytes | str) -> LicenseClaims:
    """Build claims from their JSON. Raises ``ValueError`` saying which claim is wrong."""
    if isinstance(data, (bytes, str)):
        data = json.loads(data)
    if not isinstance(data, dict):
        raise ValueError("the claims are not a JSON object")
    for name in ("license_id", "licensee", "product"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ValueError(f"{name} is missing")
    seats, grace = data.get("seats"), data.get("grace_days", 0)
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise ValueError("seats must be a positive whole number")
    if not isinstance(grace, int) or isinstance(grace, bool) or grace < 0:
        raise ValueError("grace_days must be a whole number of days")
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise ValueError("features must be a list of names")
    quotas, meter_quotas = _quotas(data.get("quotas"))
    claims = LicenseClaims(
        license_id=data["license_id"], licensee=data["licensee"], product=data["product"],
        issued_at=_time(data, "issued_at"), starts_at=_time(data, "starts_at"),
        expires_at=_time(data, "expires_at"), seats=seats, features=frozenset(features), grace_days=grace,
        quotas=quotas, meter_quotas=meter_quotas,
    )
    if claims.expires_at <= claims.starts_at:
        raise ValueError("expires_at is not after starts_at")
    return claims
