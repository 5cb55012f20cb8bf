"""Signed usage reports: what an admin downloads for a true-up and carries to the vendor.

A report covers a period of days, holds the snapshots of those days (counts only), the true-up
figures computed from them, the license it is bound to and the instance's public key, and is
signed by the instance key (:mod:`.format`). With ``include_names`` it also lists the seat
holders' names and emails; without it (the default) it holds no name, email or content.

The same parameters and snapshots always give the same bytes (Ed25519 signatures are
deterministic and the report carries no time of its own), so the page can show exactly the
file that the download then delivers.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from anneal_enterprise.licensing import status
from anneal_enterprise.licensing.claims import PRODUCT
from anneal_enterprise.licensing.usage import instance_key, snapshots
from anneal_enterprise.licensing.usage.format import FORMAT, signed_bytes, true_up


class ReportRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReportRequest:
    first_day: date
    last_day: date
    include_names: bool = False
    product: str = PRODUCT

    @property
    def filename(self) -> str:
        return f"usage-report-{self.product}-{self.first_day.isoformat()}-{self.last_day.isoformat()}.json"


def _names() -> list[dict[str, str]]:
    from core.models import User

    rows = User.objects.humans().filter(memberships__isnull=False).distinct().order_by("email")
    return [{"email": email, "name": name} for email, name in rows.values_list("email", "name")]


def build(request: ReportRequest) -> dict[str, Any]:
    """The signed report as a JSON-ready dict. Raises :class:`ReportRefused` saying why it cannot be made."""
    if request.last_day < request.first_day:
        raise ReportRefused("The period ends before it starts: choose a last day on or after the first day.")
    license = status.current().licenses.get(request.product)
    if license is None or license.claims is None:
        raise ReportRefused("A usage report is bound to the license in force, and none is installed for "
                            f"{request.product!r}. Install the license first.")
    found = snapshots.between(request.first_day, request.last_day)
    if not found:
        raise ReportRefused(f"No usage snapshot covers {request.first_day} to {request.last_day}. A day's snapshot "
                            "is taken after the day ends (UTC); choose a period that includes an earlier day.")
    row, private = instance_key.signing_key()
    report: dict[str, Any] = {
        "format": FORMAT,
        "instance": {"key_id": row.key_id, "public_key": row.public_key,
                     "fingerprint": instance_key.describe()["fingerprint"]},
        "license": {"license_id": license.claims.license_id, "licensee": license.claims.licensee,
                    "product": request.product, "seats": license.claims.seats},
        "period": {"first_day": request.first_day.isoformat(), "last_day": request.last_day.isoformat()},
        "includes_names": request.include_names,
        "previous_hash": found[0]["previous_hash"],
        "snapshots": found,
        "true_up": true_up(found, license.claims.seats),
    }
    if request.include_names:
        report["names"] = {"seat_holders": _names()}
    signature = private.sign(signed_bytes(report))
    report["signature"] = {"alg": "Ed25519", "key_id": row.key_id,
                           "value": base64.b64encode(signature).decode("ascii")}
    return report


def render(report: dict[str, Any]) -> str:
    """The report's file content: indented JSON, sorted keys, one trailing newline."""
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
