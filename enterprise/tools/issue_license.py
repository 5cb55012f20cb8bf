#!/usr/bin/env python3
"""Issue a license key or a trial grant (vendor tool; not part of any installed package).

Anneal signs Anneal Enterprise keys with it; a vendor building a product on Anneal signs its own
product's keys (``--product``) with its own private key.

The private key is read from ``--private-key FILE`` or from the ``ANNEAL_LICENSE_SIGNING_KEY``
environment variable (PEM text of an Ed25519 private key). It is never stored in the repository.

    python enterprise/tools/issue_license.py --key-id anneal-production-2026 \\
        --private-key /secure/anneal-production-2026.key --licensee "Example Corp" \\
        --seats 50 --days 365 > example-corp.license

    python enterprise/tools/issue_license.py --key-id acme-production-2026 --private-key acme.key \
        --product acme-cloud --kind trial --days 30 --seats 25 > acme_product/trial-grant.license
        (a trial grant: a length instead of dates, started once per instance; ship it in your distribution)

    python enterprise/tools/issue_license.py generate-key --public-key-out my-test-key.pem
        (prints a new private key; its public half goes in ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS, or,
        written as PEM to --public-key-out, in your product's ``ProductLicensing.public_keys``)
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


def trial_claims_from(args: argparse.Namespace) -> dict:
    if args.starts or args.expires:
        raise SystemExit("A trial grant has a length (--days), not dates: leave out --starts and --expires.")
    return {
        "kind": "trial",
        "license_id": args.license_id or f"trial_{uuid.uuid4().hex[:16]}",
        "licensee": args.licensee or "Trial",
        "product": args.product,
        "issued_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_days": args.days,
        "seats": args.seats,
        "features": sorted(args.feature or FEATURES),
        "grace_days": args.grace_days if args.grace_days is not None else 0,
    }


def claims_from(args: argparse.Namespace) -> dict:
    if args.kind == "trial":
        return trial_claims_from(args)
    if not args.licensee:
        raise SystemExit("Give the licensee with --licensee NAME.")
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
        "grace_days": args.grace_days if args.grace_days is not None else 14,
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


def generate_key(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="issue_license.py generate-key",
                                     description="Print a new Ed25519 private key (PEM) on standard output.")
    parser.add_argument("--key-id", help="Ignored; name the key when you issue with it.")
    parser.add_argument("--public-key-out", metavar="FILE", help="Also write the public half as PEM to FILE.")
    args = parser.parse_args(argv)
    key = Ed25519PrivateKey.generate()
    sys.stdout.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode("ascii"))
    if args.public_key_out:
        Path(args.public_key_out).write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        sys.stderr.write(f"public key written to {args.public_key_out}\n")
    sys.stderr.write(f"public key (base64, for ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS): {public_key_text(key.public_key())}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["generate-key"]:
        return generate_key(argv[1:])
    parser = argparse.ArgumentParser(description="Issue a signed Anneal Enterprise license key.")
    parser.add_argument("--key-id", required=True, help="The signing key's id, e.g. anneal-production-2026.")
    parser.add_argument("--private-key", help=f"PEM file of the Ed25519 private key (else ${ENV_VARIABLE}).")
    parser.add_argument("--licensee", help="Who the license is for (required, except for a trial grant).")
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--kind", choices=("license", "trial"), default="license",
                        help="license (fixed dates, the default) or trial: a grant with a length instead of dates, "
                             "shipped in your distribution and started once per instance.")
    parser.add_argument("--days", type=int, default=None,
                        help="Validity from the start (default 365); for a trial, its length (default 30).")
    parser.add_argument("--starts", help="Start, ISO 8601 (default now).")
    parser.add_argument("--expires", help="Expiry, ISO 8601 (overrides --days).")
    parser.add_argument("--grace-days", type=int, default=None, help="Default 14; for a trial, 0.")
    parser.add_argument("--feature", action="append",
                        help="Repeat; default: all Anneal Enterprise features. A plugin vendor names its own "
                             "(<plugin>.<feature>) and sets --product to the plugin's name.")
    parser.add_argument("--quota", action="append", metavar="NAME=N",
                        help="organizations=N or projects=N (repeat); default: no quota.")
    parser.add_argument("--meter-quota", action="append", metavar="METER=N",
                        help="A meter's monthly quantity, e.g. webhooks.deliveries=100000 (repeat).")
    parser.add_argument("--license-id")
    parser.add_argument("--product", default=PRODUCT,
                        help="The product id the key licenses (default anneal); a vendor's own product id, "
                             "as its ProductLicensing.product_id says.")
    parser.add_argument("--json", action="store_true", help="Also print the claims to standard error.")
    args = parser.parse_args(argv)
    if args.days is None:
        args.days = 30 if args.kind == "trial" else 365
    if args.days < 1:
        raise SystemExit("--days must be at least 1.")
    claims = claims_from(args)
    sys.stdout.write(document.encode(claims, load_private_key(args.private_key), args.key_id))
    if args.json:
        sys.stderr.write(json.dumps(claims, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
