#!/usr/bin/env python3
"""Verify a customer's usage report offline and print its true-up figures (vendor tool; not shipped).

    python enterprise/tools/verify_usage_report.py report.json \\
        --previous last-quarter.json --license-id lic_0123 --fingerprint SHA256:ab12:...

Checks, in order: the format; the signature, by the instance key in the report (pinned by
``--fingerprint`` as shown on the customer's License page, and by the previous report's key);
each snapshot's hash against its content; the chain (sequence numbers without holes, each
snapshot linking to the one before); continuity with ``--previous`` (the same instance, no
snapshot missing between the two reports); the license id (``--license-id``); and the true-up
figures against the snapshots. Exit status 0 when the report is accepted, 1 with the reason
when it is refused, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anneal_enterprise.licensing.usage.format import FORMAT, signed_bytes, snapshot_hash, true_up  # noqa: E402
from core.wording import counted  # noqa: E402


class Refused(Exception):
    pass


def fingerprint(raw: bytes) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    return "SHA256:" + ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def load(path: str) -> dict[str, Any]:
    try:
        report = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise Refused(f"{path} is not a readable JSON file ({error}).") from None
    if not isinstance(report, dict) or report.get("format") != FORMAT:
        raise Refused(f"{path} is not an Anneal usage report (format {FORMAT}).")
    return report


def check_signature(report: dict[str, Any], pinned: str | None) -> str:
    try:
        raw = base64.b64decode(report["instance"]["public_key"], validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
        signature = base64.b64decode(report["signature"]["value"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise Refused("The report's instance key or signature is missing or unreadable.") from None
    seen = fingerprint(raw)
    if pinned and seen != pinned:
        raise Refused(f"The report is signed by the instance key {seen}, not by {pinned}: it comes from another "
                      "instance, or someone signed it with a key of their own.")
    try:
        public.verify(signature, signed_bytes(report))
    except InvalidSignature:
        raise Refused("The signature does not match the report's content: the report was changed after the "
                      "instance signed it.") from None
    return seen


def check_chain(report: dict[str, Any]) -> list[dict[str, Any]]:
    snapshots = report.get("snapshots")
    if not isinstance(snapshots, list) or not snapshots:
        raise Refused("The report holds no snapshot.")
    previous: dict[str, Any] | None = None
    for snapshot in snapshots:
        where = f"snapshot {snapshot.get('sequence')} ({snapshot.get('day')})"
        if snapshot_hash(snapshot) != snapshot.get("hash"):
            raise Refused(f"{where} was edited: its hash does not match its content.")
        if previous is None:
            if snapshot.get("previous_hash") != report.get("previous_hash"):
                raise Refused(f"{where} does not link to the report's previous_hash.")
        else:
            if snapshot["sequence"] != previous["sequence"] + 1:
                raise Refused(f"Gap: after snapshot {previous['sequence']} ({previous['day']}) comes {where}; "
                              f"{counted(snapshot['sequence'] - previous['sequence'] - 1, 'snapshot')} missing.")
            if snapshot.get("previous_hash") != previous["hash"]:
                raise Refused(f"{where} does not link to snapshot {previous['sequence']}: the chain is broken.")
        previous = snapshot
    return snapshots


def check_continuity(report: dict[str, Any], earlier: dict[str, Any]) -> None:
    first, last_before = report["snapshots"][0], earlier["snapshots"][-1]
    if first["sequence"] > last_before["sequence"] + 1:
        raise Refused(f"Gap between the reports: the previous report ends with snapshot {last_before['sequence']} "
                      f"({last_before['day']}) and this one starts with {first['sequence']} ({first['day']}); "
                      f"{counted(first['sequence'] - last_before['sequence'] - 1, 'snapshot')} missing.")
    by_sequence = {s["sequence"]: s["hash"] for s in earlier["snapshots"]}
    for snapshot in report["snapshots"]:
        if snapshot["sequence"] in by_sequence and by_sequence[snapshot["sequence"]] != snapshot["hash"]:
            raise Refused(f"Snapshot {snapshot['sequence']} differs from the same snapshot in the previous report.")
    if first["sequence"] == last_before["sequence"] + 1 and first["previous_hash"] != last_before["hash"]:
        raise Refused("This report does not continue the previous one: its first snapshot does not link to the "
                      "previous report's last snapshot.")


def verify(path: str, previous: str | None = None, license_id: str | None = None,
           pinned: str | None = None) -> dict[str, Any]:
    """The accepted report; raises :class:`Refused` with the reason."""
    report = load(path)
    earlier = None
    if previous:
        earlier = load(previous)
        pinned_before = check_signature(earlier, pinned)
        check_chain(earlier)
        pinned = pinned or pinned_before
    check_signature(report, pinned)
    snapshots = check_chain(report)
    if earlier is not None:
        check_continuity(report, earlier)
    bound = report.get("license", {}).get("license_id")
    if license_id and bound != license_id:
        raise Refused(f"The report is bound to license {bound!r}, not to {license_id!r}.")
    if true_up(snapshots, report["license"].get("seats")) != report.get("true_up"):
        raise Refused("The true-up figures do not match the snapshots.")
    return report


def print_true_up(report: dict[str, Any], out: Any) -> None:
    figures, license = report["true_up"], report["license"]
    period = report["period"]
    print(f"Accepted: usage report of {license['licensee']} for license {license['license_id']} "
          f"({license['product']}), {period['first_day']} to {period['last_day']}", file=out)
    print(f"Instance key:        {report['instance']['fingerprint']}", file=out)
    print(f"Days with a snapshot: {figures['days']}", file=out)
    print(f"Seats licensed:      {figures['seats_licensed']}", file=out)
    print(f"Seats (maximum):     {figures['seats_max']}", file=out)
    print(f"Seats over license:  {figures['seats_over_license']}", file=out)
    print(f"Organizations (max): {figures['organizations_max']}", file=out)
    print(f"Projects (max):      {figures['projects_max']}", file=out)
    print(f"Features used:       {', '.join(figures['features_used']) or 'none'}", file=out)
    for meter, quantity in figures["meters"].items():
        print(f"Meter {meter}: {quantity}", file=out)
    if report.get("includes_names"):
        print(f"Seat holders named:  {len(report.get('names', {}).get('seat_holders', []))}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an Anneal usage report offline.")
    parser.add_argument("report", help="The usage report (JSON) the customer sent.")
    parser.add_argument("--previous", help="The previous report from the same instance, to check continuity.")
    parser.add_argument("--license-id", help="The license id the report must be bound to.")
    parser.add_argument("--fingerprint", help="The instance key's fingerprint (SHA256:...) from the License page.")
    args = parser.parse_args(argv)
    try:
        report = verify(args.report, args.previous, args.license_id, args.fingerprint)
    except Refused as refusal:
        print(f"Refused: {refusal}", file=sys.stderr)
        return 1
    if not args.previous and report.get("previous_hash"):
        print("Note: continuity with the previous report was not checked (give --previous).", file=sys.stderr)
    print_true_up(report, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
