"""Verify a JSON Lines export with nothing but the file and the public key.

    python -m anneal_enterprise.audit.offline export.jsonl --public-key audit-public-key.pem

(or ``anneal audit verify --export export.jsonl --public-key audit-public-key.pem``). Needs
only Python and ``cryptography``: no database, no Django settings, no network. Obtain the
public key separately (``anneal audit public-key``): the copy inside the export is a
convenience, and trusting it alone would let whoever forged the file forge the key too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from anneal_enterprise.audit.canonical import FIELDS
from anneal_enterprise.audit.chain import OMITTED, Problem, Report, verify_entries
from anneal_enterprise.audit.heads import find_signed_head, signed_head_problem
from core.wording import counted


class ExportUnreadable(Exception):
    pass


def load_public_keys(text: str) -> dict[str, Ed25519PublicKey]:
    import hashlib

    keys: dict[str, Ed25519PublicKey] = {}
    marker_end = "-----END PUBLIC KEY-----"
    for block in text.split(marker_end):
        if "-----BEGIN PUBLIC KEY-----" not in block:
            continue
        pem = block[block.index("-----BEGIN PUBLIC KEY-----"):] + marker_end + "\n"
        key = serialization.load_pem_public_key(pem.encode())
        if isinstance(key, Ed25519PublicKey):
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            keys[hashlib.sha256(raw).hexdigest()[:16]] = key
    if not keys:
        raise ExportUnreadable("No Ed25519 public key (PEM) found in the public key file.")
    return keys


def verify_export(lines: IO[str], public_keys: dict[str, Ed25519PublicKey]) -> Report:
    try:
        header = json.loads(lines.readline())
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != "anneal-audit-export":
        raise ExportUnreadable("This is not an Anneal audit export in JSON Lines (the first line is not its header).")
    if header.get("fields") != list(FIELDS):
        raise ExportUnreadable("This export uses a different record layout than this verifier understands.")
    entries: list[tuple[int, Any, Any, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    head: dict[str, Any] | None = None
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if "checkpoint" in item:
                checkpoints.append(item["checkpoint"])
            elif "signed_head" in item:
                head = find_signed_head(item)
            elif "record" in item:
                record = item["record"]
                entries.append((int(item["id"]), tuple(record[name] for name in FIELDS), item["leaf"], item["chain"]))
            elif item.get("omitted"):
                entries.append((int(item["id"]), OMITTED, item["leaf"], item["chain"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            report = Report(header.get("organization_id"))
            report.problem = Problem("changed", None, f"Line {number} of the export is damaged ({type(exc).__name__}).")
            return report
    entries.sort(key=lambda entry: entry[0])
    leaves = {entry[2]: entry[0] for entry in entries if entry[2]}

    def owner(leaf: str) -> int | None:
        return leaves.get(leaf)

    report = verify_entries(
        header.get("organization_id"), entries, checkpoints, public_keys, sealed_leaf_owner=owner,
        start_after=int(header.get("start_after") or 0), start_chain=header["start_chain"],
        previous_signature=header.get("previous_signature") or "",
        first_sequence=header.get("first_sequence"), previous_hash=header.get("previous_hash"),
    )
    if report.intact and head is not None:
        report.problem = signed_head_problem(head, public_keys)
        if report.intact and head.get("instance_head"):
            report.notes.append(f"The export carries signed instance head {head['instance_head']['sequence']}: keep "
                                "it to prove later that the log was not cut back (anneal audit verify --since-export).")
    last_sealed = max((c["last_record_id"] for c in checkpoints), default=0)
    unsealed = sum(1 for entry in entries if entry[0] > last_sealed)
    if unsealed:
        verbs = ("was", "is") if unsealed == 1 else ("were", "are")
        report.notes.append(f"{counted(unsealed, 'record')} at the end {verbs[0]} not sealed yet when exported and "
                            f"{verbs[1]} not covered by a signature.")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an Anneal audit export (JSON Lines) offline.")
    parser.add_argument("export", type=Path)
    parser.add_argument("--public-key", type=Path, required=True, help="PEM file with the audit public keys (one or more).")
    args = parser.parse_args(argv)
    try:
        keys = load_public_keys(args.public_key.read_text())
        with args.export.open(encoding="utf-8") as lines:
            report = verify_export(lines, keys)
    except (OSError, ExportUnreadable) as exc:
        print(f"Cannot verify: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    for note in report.notes:
        print(f"Note: {note}")
    return 0 if report.intact else 1


if __name__ == "__main__":
    sys.exit(main())
