"""Helpers for tests that need a license (licensing's own tests and other enterprise areas).

    signer = TestSigner()                       # a throwaway Ed25519 key pair
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    key = signer.issue(features=["sso"])        # an armored key text
    services.install(key, source="cli")

No private key of a shipped key id exists in the repository; throwaway keys are registered as
extra (test) keys through ``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from anneal_enterprise.licensing import document
from anneal_enterprise.licensing.claims import FEATURES, PRODUCT
from anneal_enterprise.licensing.keyring import public_key_text

_numbers = itertools.count(1)
ISO = "%Y-%m-%dT%H:%M:%SZ"


class TestSigner:
    """A throwaway signing key and a factory of license keys signed with it."""

    __test__ = False

    def __init__(self, key_id: str | None = None) -> None:
        self.key_id = key_id or f"throwaway-{next(_numbers)}"
        self.private_key = Ed25519PrivateKey.generate()

    def extra_public_keys(self) -> dict[str, str]:
        return {self.key_id: public_key_text(self.private_key.public_key())}

    def license_issuer(self, label: str, features: Iterable[str], kind: str = "test") -> Any:
        """A ``core.plugins.LicenseIssuer`` with this signer's public key, for a test plugin's hook."""
        from core.plugins import LicenseIssuer

        return LicenseIssuer(label, {self.key_id: (kind, public_key_text(self.private_key.public_key()))},
                             tuple(features))

    def extra_public_keys_json(self) -> str:
        return json.dumps(self.extra_public_keys())

    def claims(self, *, starts_at: datetime | None = None, expires_at: datetime | None = None,
               seats: int = 100, features: Iterable[str] = FEATURES, grace_days: int = 14,
               licensee: str = "Example Corp", product: str = PRODUCT, license_id: str | None = None,
               **extra: Any) -> dict[str, Any]:
        starts = starts_at or datetime.now(timezone.utc) - timedelta(days=1)
        expires = expires_at or starts + timedelta(days=365)
        return {
            "license_id": license_id or f"lic_test_{next(_numbers)}", "licensee": licensee, "product": product,
            "issued_at": starts.strftime(ISO), "starts_at": starts.strftime(ISO), "expires_at": expires.strftime(ISO),
            "seats": seats, "features": sorted(features), "grace_days": grace_days, **extra,
        }

    def sign(self, claims: dict[str, Any], key_id: str | None = None) -> str:
        return document.encode(claims, self.private_key, key_id or self.key_id)

    def issue(self, **claims: Any) -> str:
        return self.sign(self.claims(**claims))

    def trial_grant(self, *, product: str = PRODUCT, days: int = 30, features: Iterable[str] = FEATURES,
                    seats: int = 25, grace_days: int = 0, licensee: str = "Trial",
                    license_id: str | None = None, **extra: Any) -> str:
        """A signed trial grant: a length instead of dates (see :mod:`.trial`)."""
        return self.sign({
            "kind": "trial", "license_id": license_id or f"trial_test_{next(_numbers)}", "licensee": licensee,
            "product": product, "issued_at": datetime.now(timezone.utc).strftime(ISO), "duration_days": days,
            "seats": seats, "features": sorted(features), "grace_days": grace_days, **extra,
        })


@contextlib.contextmanager
def licensed(settings: Any, **claims: Any) -> Iterator[TestSigner]:
    """Install a throwaway license for the block, then forget it (for other areas' tests).

    ``settings`` is pytest-django's ``settings`` fixture. Needs database access. Example::

        with licensed(settings, features=["sso"]):
            assert entitlements.state("sso") == "enabled"
    """
    from anneal_enterprise.licensing import services, status

    signer = TestSigner()
    previous = getattr(settings, "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS", None) or {}
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = {**previous, **signer.extra_public_keys()}
    status.reset()
    services.install(signer.issue(**claims), source="cli")
    try:
        yield signer
    finally:
        status.reset()
