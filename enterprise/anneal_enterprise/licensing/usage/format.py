"""The usage report's format: canonical JSON, snapshot hashes and the signed bytes.

This module imports nothing but the standard library, so the vendor's verification tool
(``enterprise/tools/verify_usage_report.py``) uses exactly these rules.

A snapshot's ``hash`` is the hex SHA-256 of the canonical JSON of the snapshot without its
``hash`` member; its ``previous_hash`` is the hash of the snapshot before it (``null`` for the
first snapshot the instance ever took) and ``sequence`` grows by one each time. A report's
signature is Ed25519 over ``anneal-usage-report/v1.`` followed by the canonical JSON of the
report without its ``signature`` member.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT = "anneal-usage-report/v1"
SIGNING_PREFIX = (FORMAT + ".").encode("ascii")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({k: v for k, v in snapshot.items() if k != "hash"})).hexdigest()


def signed_bytes(report: dict[str, Any]) -> bytes:
    return SIGNING_PREFIX + canonical_json({k: v for k, v in report.items() if k != "signature"})


def true_up(snapshots: list[dict[str, Any]], seats_licensed: int | None) -> dict[str, Any]:
    """The figures a renewal is based on, computed from the snapshots alone."""
    meters: dict[str, int] = {}
    for snapshot in snapshots:
        for name, quantity in snapshot.get("meters", {}).items():
            meters[name] = meters.get(name, 0) + int(quantity)
    seats_max = max((int(s["seats_in_use"]) for s in snapshots), default=0)
    return {
        "days": len(snapshots),
        "seats_licensed": seats_licensed,
        "seats_max": seats_max,
        "seats_over_license": max(0, seats_max - seats_licensed) if seats_licensed else 0,
        "organizations_max": max((int(s["organizations"]) for s in snapshots), default=0),
        "projects_max": max((int(s["projects"]) for s in snapshots), default=0),
        "features_used": sorted({f for s in snapshots for f in s.get("features_used", [])}),
        "meters": dict(sorted(meters.items())),
    }
