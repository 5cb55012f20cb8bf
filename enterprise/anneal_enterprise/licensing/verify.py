"""Offline verification of a license key against the shipped public keys.

:func:`verify` checks the form, the algorithm, the key id, the signature and the product, in
that order, and returns the license; :func:`check_installable` adds the checks that depend on
the date. Each failure raises :class:`LicenseRefused` naming exactly what is wrong.
"""

from __future__ import annotations

import hashlib
import json
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


def authenticated(text: str | bytes, what: str = "license key") -> tuple[document.SignedDocument, keyring.Issuer,
                                                                         keyring.PublicKey]:
    """Decode ``text`` and check its algorithm, key id and signature; the claims are not read yet."""
    doc = document.decode(text)
    if doc.algorithm != document.ALGORITHM:
        raise LicenseRefused(
            "unsupported_algorithm",
            f"This {what} uses the signature algorithm {doc.algorithm!r}, which this version of Anneal "
            f"does not support (it supports {document.ALGORITHM}). Ask your vendor for a key for this version.",
        )
    found = keyring.find(doc.key_id)
    if found is None:
        known = ", ".join(f"{k.key_id} ({k.kind})" for k in keyring.all_keys().values())
        raise LicenseRefused(
            "unknown_key",
            f"This {what} was signed with the key {doc.key_id!r}, which this version of Anneal does not "
            f"know (it knows {known}). Upgrade Anneal, or ask your vendor for a key signed with a known key.",
        )
    issuer, public = found
    try:
        public.key.verify(doc.signature, doc.signed_bytes)
    except InvalidSignature:
        raise LicenseRefused(
            "tampered",
            f"This {what}'s signature does not match its content for the {public.kind} key "
            f"{public.key_id!r}: {'the key' if what == 'license key' else 'it'} was changed after it was issued. "
            + ("Paste the key exactly as you received it." if what == "license key" else
               "Reinstall the product's distribution, or ask its vendor for a license key."),
        ) from None
    return doc, issuer, public


def _kind(doc: document.SignedDocument) -> str:
    try:
        data = json.loads(doc.claims_json)
    except ValueError:
        return ""
    return str(data.get("kind", "")) if isinstance(data, dict) else ""


def verify(text: str | bytes) -> VerifiedLicense:
    doc, issuer, public = authenticated(text)
    if _kind(doc) == "trial":
        raise LicenseRefused(
            "trial_grant",
            "This is a trial grant, not a license key: it has a length instead of dates and is started once "
            "per instance. Start the trial from the License page, or install the license key you bought.",
        )
    try:
        claims = claims_module.parse(doc.claims_json)
    except ValueError as error:
        raise LicenseRefused(
            "malformed", f"This license key is signed but its content is not a valid license: {error}. "
            "Ask your vendor for a new key.",
        ) from None
    issuer = trusted_issuer(issuer, public, claims.product)
    check_issuer(claims, issuer, public)
    return VerifiedLicense(claims=claims, key_id=public.key_id, key_kind=public.kind, digest=_digest(doc),
                           issuer=issuer.label)


def trusted_issuer(issuer: keyring.Issuer, public: keyring.PublicKey, product: str) -> keyring.Issuer:
    """Whose rules a key signed by ``issuer`` follows on this instance, or a refusal.

    On a product built on Anneal, Anneal's own keys are refused unless the product trusts them,
    and then they may only license that product, within its scope.
    """
    if issuer.product != claims_module.PRODUCT:
        return issuer
    edition = keyring.primary_issuer()
    if not edition.replaces_anneal:
        return issuer
    if edition.trusts_anneal_keys and product == edition.product:
        return edition
    if edition.trusts_anneal_keys:
        detail = (f"is for the product {product!r}; this instance runs {edition.label} (product "
                  f"{edition.product!r}), and only keys for {edition.product!r} unlock it")
    else:
        detail = (f"is signed with {public.key_id!r}, a key of Anneal Enterprise, for the product {product!r}; "
                  f"this instance runs {edition.label} (product {edition.product!r}), which accepts only keys "
                  f"signed by its own vendor")
    raise LicenseRefused("untrusted_issuer", f"This license key {detail}. Ask the vendor of {edition.label} "
                         f"for a key for {edition.product!r}.")


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
