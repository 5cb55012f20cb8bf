"""Offline verification of a license key against the shipped public keys.

:func:`verify` checks the form, the algorithm, the key id, the signature and the product, in
that order, and returns the license; :func:`check_installable` adds the checks that depend on
the date. Each failure raises :class:`LicenseRefused` naming exactly what is wrong.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature

from anneal_enterprise.licensing import claims as claims_module
from anneal_enterprise.licensing import document, keyring
from anneal_enterprise.licensing.claims import LicenseClaims
from anneal_enterprise.licensing.errors import LicenseRefused


@dataclass(frozen=True)
class VerifiedLicense:
    claims: LicenseClaims
    key_id: str
    key_kind: keyring.KeyKind
    digest: str
    issuer: str = "Anneal Enterprise"

    @property
    def product(self) -> str:
        return self.claims.product

    @property
    def is_test(self) -> bool:
        return self.key_kind == "test"


def _digest(doc: document.SignedDocument) -> str:
    """A fingerprint of a key that ignores the whitespace the format tolerates."""
    return hashlib.sha256(doc.signed_bytes + b"." + document.b64encode(doc.signature).encode()).hexdigest()


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def verify(text: str | bytes) -> VerifiedLicense:
    doc = document.decode(text)
    if doc.algorithm != document.ALGORITHM:
        raise LicenseRefused(
            "unsupported_algorithm",
            f"This license key uses the signature algorithm {doc.algorithm!r}, which this version of Anneal "
            f"does not support (it supports {document.ALGORITHM}). Ask your vendor for a key for this version.",
        )
    found = keyring.find(doc.key_id)
    if found is None:
        known = ", ".join(f"{k.key_id} ({k.kind})" for k in keyring.all_keys().values())
        raise LicenseRefused(
            "unknown_key",
            f"This license key was signed with the key {doc.key_id!r}, which this version of Anneal does not "
            f"know (it knows {known}). Upgrade Anneal, or ask your vendor for a key signed with a known key.",
        )
    issuer, public = found
    try:
        public.key.verify(doc.signature, doc.signed_bytes)
    except InvalidSignature:
        raise LicenseRefused(
            "tampered",
            f"This license key's signature does not match its content for the {public.kind} key "
            f"{public.key_id!r}: the key was changed after it was issued. Paste the key exactly as you received it.",
        ) from None
    try:
        claims = claims_module.parse(doc.claims_json)
    except ValueError as error:
        raise LicenseRefused(
            "malformed", f"This license key is signed but its content is not a valid license: {error}. "
            "Ask your vendor for a new key.",
        ) from None
    check_issuer(claims, issuer, public)
    return VerifiedLicense(claims=claims, key_id=public.key_id, key_kind=public.kind, digest=_digest(doc),
                           issuer=issuer.label)


def check_issuer(claims: LicenseClaims, issuer: keyring.Issuer, public: keyring.PublicKey) -> None:
    """Refuse claims that the signing key's issuer may not make: another product, or features outside its scope."""
    if claims.product != issuer.product:
        if issuer.product == claims_module.PRODUCT:
            detail = f"is for the product {claims.product!r}, not for Anneal"
        else:
            detail = (f"is signed with {public.key_id!r}, a key of {issuer.label} ({issuer.product!r}), "
                      f"but claims the product {claims.product!r}; a vendor's key only licenses its own product")
        raise LicenseRefused("other_product", f"This license key {detail}. Check that you pasted the right key.")
    outside = sorted(feature for feature in claims.features if not issuer.may_grant(feature))
    if outside:
        raise LicenseRefused(
            "feature_out_of_scope",
            f"This license key is signed with {public.key_id!r}, a key of {issuer.label}, which may grant "
            f"{issuer.scope()}; it claims {', '.join(outside)}. The key is refused as a whole: ask the vendor "
            "of each feature for a key of their own.",
        )


def check_installable(license: VerifiedLicense, now: datetime) -> None:
    """Refuse a license that is not valid yet or whose grace period is over."""
    claims = license.claims
    if now < claims.starts_at:
        raise LicenseRefused(
            "not_yet_valid",
            f"License {claims.license_id} for {claims.licensee} is not valid yet: it starts on "
            f"{_when(claims.starts_at)}. Install it on or after that date.",
        )
    if now >= claims.grace_ends_at:
        raise LicenseRefused(
            "past_grace",
            f"License {claims.license_id} for {claims.licensee} expired on {_when(claims.expires_at)} and its "
            f"grace period ended on {_when(claims.grace_ends_at)}. Install a renewed license.",
        )


def verify_installable(text: str | bytes, now: datetime) -> VerifiedLicense:
    license = verify(text)
    check_installable(license, now)
    return license
