"""Quotas besides seats: organizations, projects and monthly metered quantities.

Enforced like seats: above the licensed number admins see a warning; at the number plus 10% (at
least one more) new organizations or projects are refused with a message saying why. Nothing
that exists is ever blocked: members keep signing in and reading everything. A license without
quotas (every key issued before quotas existed) limits nothing; only the Anneal Enterprise
license in force (valid, expiring or in grace) sets quotas.

A meter's quota counts the calendar month (UTC) so far, across the instance, as the metering
API (``core.metering``) aggregates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from anneal_enterprise.licensing import seats, status
from anneal_enterprise.licensing.claims import QUOTA_NAMES, LicenseClaims

OVERAGE = 0.10
LABELS = {"organizations": "organizations", "projects": "projects"}


def with_margin(limit: int) -> int:
    """The limit plus the 10% soft margin (at least one more), beyond which creations stop."""
    return limit + max(1, int(limit * OVERAGE))


@dataclass(frozen=True)
class QuotaUsage:
    name: str
    """``organizations``, ``projects`` or ``meter:<meter name>``."""
    label: str
    in_use: int
    licensed: int

    @property
    def limit(self) -> int:
        return with_margin(self.licensed)

    @property
    def over(self) -> bool:
        return self.in_use > self.licensed

    @property
    def exhausted(self) -> bool:
        return self.in_use >= self.limit

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "label": self.label, "in_use": self.in_use, "licensed": self.licensed,
                "limit": self.limit, "over": self.over, "exhausted": self.exhausted}


def count(name: str) -> int:
    from core.models import Organization, Project

    if name == "organizations":
        return Organization.objects.count()
    if name == "projects":
        return Project.objects.count()
    if name.startswith("meter:"):
        from core import metering

        return metering.instance_month_total(name.removeprefix("meter:"))
    raise ValueError(f"unknown quota {name!r}")


def usage_for(claims: LicenseClaims | None) -> list[QuotaUsage]:
    """Every quota of ``claims`` with what is in use now (empty for a license without quotas)."""
    if claims is None:
        return []
    found = [QuotaUsage(name, LABELS[name], count(name), claims.quotas[name])
             for name in QUOTA_NAMES if name in claims.quotas]
    found += [QuotaUsage(f"meter:{meter}", meter, count(f"meter:{meter}"), quantity)
              for meter, quantity in sorted(claims.meter_quotas.items())]
    return found


def usage() -> list[QuotaUsage]:
    """The quotas of the license in force (none when no license is in force)."""
    snapshot = status.current()
    return usage_for(snapshot.claims) if seats.limits_seats(snapshot) else []


def refusal_for_new(name: str, quantity: int = 1) -> str | None:
    """Why ``quantity`` more of ``name`` may not be created now, or ``None`` when they may."""
    snapshot = status.current()
    if not seats.limits_seats(snapshot):
        return None
    claims = snapshot.claims
    assert claims is not None
    licensed = claims.quotas.get(name) if name in QUOTA_NAMES else claims.meter_quotas.get(name.removeprefix("meter:"))
    if licensed is None:
        return None
    quota = QuotaUsage(name, LABELS.get(name, name.removeprefix("meter:")), count(name), licensed)
    if quota.in_use + quantity <= quota.limit:
        return None
    what = quota.label if name in QUOTA_NAMES else f"{quota.label} this month"
    return (f"The license allows {quota.licensed} {what} (up to {quota.limit} with the 10% margin) and "
            f"{quota.in_use} are in use, so no more can be created. Existing ones keep working; "
            "remove some, or ask for a license with a higher quota.")
