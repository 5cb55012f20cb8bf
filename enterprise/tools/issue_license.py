#!/usr/bin/env python3
"""Issue an Anneal Enterprise license key (vendor tool; not part of any installed package).

The private key is read from ``--private-key FILE`` or from the ``ANNEAL_LICENSE_SIGNING_KEY``
environment variable (PEM text of an Ed25519 private key). It is never stored in the repository.

    python enterprise/tools/issue_license.py --key-id anneal-production-2026 \\
        --private-key /secure/anneal-production-2026.key --licensee "Example Corp" \\
        --seats 50 --days 365 > example-corp.license

    python enterprise/tools/issue_license.py generate-key --key-id my-test-key
        (prints a new private key; its public half goes in ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anneal_enterprise.licensing import document  # noqa: E402
from anneal_enterprise.licensing.claims import FEATURES, PRODUCT  # noqa: E402
from anneal_enterprise.licensing.keyring import public_key_text  # noqa: E402

ENV_VARIABLE = "ANNEAL_LICENSE_SIGNING_KEY"


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def load_private_key(path: str | None) -> Ed25519PrivateKey:
    if path:
        pem = Path(path).read_bytes()
    elif os.environ.get(ENV_VARIABLE):
        pem = os.environ[ENV_VARIABLE].encode("ascii")
    else:
        raise SystemExit(f"Give the signing key with --private-key FILE or the {ENV_VARIABLE} environment variable.")
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit("The signing key is not an Ed25519 private key.")
    return key


def claims_from(args: argparse.Namespace) -> dict:
    starts = _time(args.starts) if args.starts else datetime.now(timezone.utc).replace(microsecond=0)
    expires = _time(args.expires) if args.expires else starts + timedelta(days=args.days)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    quotas = _quotas(args)
    return {
        "license_id": args.license_id or f"lic_{uuid.uuid4().hex[:16]}",
        "licensee": args.licensee,
        "product": args.product,
        "issued_at": datetime.now(timezone.utc).strftime(iso),
        "starts_at": starts.astimezone(timezone.utc).strftime(iso),
        "expires_at": expires.astimezone(timezone.utc).strftime(iso),
        "seats": args.seats,
        "features": sorted(args.feature or FEATURES),
        "grace_days": args.grace_days,
        **({"quotas": quotas} if quotas else {}),
    }


def _quotas(args: argparse.Namespace) -> dict:
    quotas: dict = {}
    for item in args.quota or []:
        name, _, value = item.partition("=")
        quotas[name] = int(value)
    meters = {}
    for item in args.meter_quota or []:
        name, _, value = item.partition("=")
        meters[name] = int(value)
    if meters:
        quotas["meters"] = meters
    return quotas


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["generate-key"]:
        key = Ed25519PrivateKey.generate()
        sys.stdout.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()).decode("ascii"))
        sys.stderr.write(f"public key (base64, for ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS): {public_key_text(key.public_key())}\n")
        return 0
    parser = argparse.ArgumentParser(description="Issue a signed Anneal Enterprise license key.")
    parser.add_argument("--key-id", required=True, help="The signing key's id, e.g. anneal-production-2026.")
    parser.add_argument("--private-key", help=f"PEM file of the Ed25519 private key (else ${ENV_VARIABLE}).")
    parser.add_argument("--licensee", required=True)
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--days", type=int, default=365, help="Validity from the start (default 365).")
    parser.add_argument("--starts", help="Start, ISO 8601 (default now).")
    parser.add_argument("--expires", help="Expiry, ISO 8601 (overrides --days).")
    parser.add_argument("--grace-days", type=int, default=14)
    parser.add_argument("--feature", action="append",
                        help="Repeat; default: all Anneal Enterprise features. A plugin vendor names its own "
                             "(<plugin>.<feature>) and sets --product to the plugin's name.")
    parser.add_argument("--quota", action="append", metavar="NAME=N",
                        help="organizations=N or projects=N (repeat); default: no quota.")
    parser.add_argument("--meter-quota", action="append", metavar="METER=N",
                        help="A meter's monthly quantity, e.g. webhooks.deliveries=100000 (repeat).")
    parser.add_argument("--license-id")
    parser.add_argument("--product", default=PRODUCT)
    parser.add_argument("--json", action="store_true", help="Also print the claims to standard error.")
    args = parser.parse_args(argv)
    claims = claims_from(args)
    sys.stdout.write(document.encode(claims, load_private_key(args.private_key), args.key_id))
    if args.json:
        sys.stderr.write(json.dumps(claims, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
