"""Who may issue licenses, and the public keys their licenses are verified against.

An :class:`Issuer` is one vendor's product: its product id (the ``product`` claim of its
licenses), the public keys it signs with (each a ``production`` or ``test`` key) and the
features its licenses may grant. Anneal Enterprise is the issuer ``anneal``: its keys are
shipped in ``keys/`` with a manifest (``keys.json``) and it grants :data:`~.claims.FEATURES`.
A third-party plugin is an issuer too (``anneal_license_issuers`` hook, see :mod:`.issuers`):
it grants only features named ``<plugin>.<feature>``.

A key id belongs to exactly one issuer; a key id that is already taken (by a shipped key or by
an issuer loaded earlier) is ignored with an error in the log, so no plugin can take over
another issuer's keys.

``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS`` (a Django setting, or the environment variable of the same
name holding JSON) adds keys to the ``anneal`` issuer: a mapping of key id to an Ed25519 public
key as PEM text or as the base64 of its 32 raw bytes. Extra keys are always ``test`` keys, and a
license signed with one says so everywhere it is shown. Tests use them to sign throwaway
licenses; an extra key can never replace a shipped key id.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from anneal_enterprise.licensing.claims import FEATURES, PRODUCT

logger = logging.getLogger(__name__)

KeyKind = Literal["production", "test"]
KEY_KINDS: tuple[str, ...] = ("production", "test")
SETTING = "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    kind: KeyKind
    key: Ed25519PublicKey
    shipped: bool
    product: str = PRODUCT

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


@dataclass(frozen=True)
class Issuer:
    """A vendor's product whose licenses this instance can verify."""

    product: str
    label: str
    keys: dict[str, PublicKey]
    features: frozenset[str]
    """Features this issuer's licenses may grant (declared ones; see :meth:`may_grant`)."""
    namespace: str = ""
    """``"<plugin>."`` for a plugin issuer: it may grant any feature under its own name."""
    primary: bool = False
    """The edition's issuer: its license sets seats and quotas (Anneal Enterprise unless a product
    built on Anneal registers its own primary issuer with :func:`add_issuer_source`)."""
    bundles: frozenset[str] | None = None
    """For an issuer with a namespace: the other features it may grant too (a product's edition
    bundles Anneal Enterprise's ``sso``, ``audit_log``, ``support``)."""
    replaces_anneal: bool = False
    """A product built on Anneal: Anneal's own keys are not trusted on this instance unless
    :attr:`trusts_anneal_keys`, and then only to sign licenses of this product."""
    trusts_anneal_keys: bool = False

    def may_grant(self, feature: str) -> bool:
        if self.namespace:
            own = feature.startswith(self.namespace) and len(feature) > len(self.namespace)
            return own or feature in (self.bundles or ())
        return "." not in feature

    def scope(self) -> str:
        """The features this issuer may grant, in words (for refusals)."""
        if self.namespace:
            bundled = f" and {', '.join(sorted(self.bundles))}" if self.bundles else ""
            return f"only features named {self.namespace}<feature>{bundled}"
        return "only " + ", ".join(sorted(self.features))


def _load_public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text or the base64 of its 32 raw bytes (``ValueError`` otherwise)."""
    try:
        return _load_public_key(text)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not an Ed25519 public key ({error})") from None


@lru_cache(maxsize=1)
def shipped_keys() -> dict[str, PublicKey]:
    folder = resources.files("anneal_enterprise.licensing").joinpath("keys")
    manifest = json.loads(folder.joinpath("keys.json").read_text("utf-8"))
    keys = {}
    for key_id, entry in manifest.items():
        key = _load_public_key(folder.joinpath(entry["file"]).read_text("ascii"))
        keys[key_id] = PublicKey(key_id, entry["kind"], key, shipped=True)
    return keys


def _extra_setting() -> dict[str, str]:
    from django.conf import settings

    value: Any = getattr(settings, SETTING, None)
    if value is None:
        raw = os.environ.get(SETTING, "").strip()
        value = json.loads(raw) if raw else {}
    return dict(value)


def extra_keys() -> dict[str, PublicKey]:
    keys = {}
    for key_id, text in _extra_setting().items():
        if key_id in shipped_keys():
            logger.warning("%s: ignoring key id %r, which is a shipped key.", SETTING, key_id)
            continue
        try:
            keys[key_id] = PublicKey(key_id, "test", _load_public_key(text), shipped=False)
        except (ValueError, TypeError) as error:
            logger.error("%s: key %r is not an Ed25519 public key (%s); ignored.", SETTING, key_id, error)
    return keys


def anneal_issuer() -> Issuer:
    return Issuer(PRODUCT, "Anneal Enterprise", {**extra_keys(), **shipped_keys()}, frozenset(FEATURES))


#: Where issuers besides Anneal Enterprise come from; :mod:`.issuers` installs the plugin source.
_other_sources: list[Callable[[], list[Issuer]]] = []


def add_issuer_source(source: Callable[[], list[Issuer]]) -> None:
    """Register a callable returning more issuers (called on every lookup; cache inside it).

    This is the seam for a product built on Anneal: its distribution registers its own issuer
    (product id, production and test keys, ``primary=True``) and its licenses then set seats and
    quotas, with no change to verification, storage or the pages. Plugin issuers from the
    ``anneal_license_issuers`` hook are never primary.
    """
    if source not in _other_sources:
        _other_sources.append(source)


def remove_issuer_source(source: Callable[[], list[Issuer]]) -> None:
    if source in _other_sources:
        _other_sources.remove(source)


def primary_product() -> str:
    """The product whose license is the edition's license (``anneal`` unless an issuer is primary)."""
    return primary_issuer().product


def primary_issuer() -> Issuer:
    """The edition's issuer: a product's own that was registered primary, else Anneal Enterprise."""
    found = issuers()
    return next((issuer for issuer in found.values() if issuer.primary), found[PRODUCT])


def issuers() -> dict[str, Issuer]:
    """Every issuer by product id, Anneal Enterprise first. Taken key ids and products are skipped."""
    anneal = anneal_issuer()
    found: dict[str, Issuer] = {anneal.product: anneal}
    taken = set(anneal.keys)
    for source in _other_sources:
        for issuer in source():
            if issuer.product in found:
                logger.error("License issuer %r is declared twice; the second one is ignored.", issuer.product)
                continue
            clashing = set(issuer.keys) & taken
            for key_id in sorted(clashing):
                logger.error("License issuer %r: key id %r belongs to another issuer; ignored.", issuer.product, key_id)
            keys = {key_id: key for key_id, key in issuer.keys.items() if key_id not in clashing}
            taken |= set(keys)
            found[issuer.product] = replace(issuer, keys=keys)
    return found


def all_keys() -> dict[str, PublicKey]:
    """Every public key of every issuer, by key id."""
    return {key_id: key for issuer in issuers().values() for key_id, key in issuer.keys.items()}


def find(key_id: str) -> tuple[Issuer, PublicKey] | None:
    for issuer in issuers().values():
        if key_id in issuer.keys:
            return issuer, issuer.keys[key_id]
    return None


def raw_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_text(key: Ed25519PublicKey) -> str:
    """The base64 of a public key's 32 raw bytes, as ``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS`` accepts it."""
    return base64.b64encode(raw_bytes(key)).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:`` and the hex SHA-256 of the raw public key, in groups of four for reading aloud."""
    digest = hashlib.sha256(raw_bytes(key)).hexdigest()
    return "SHA256:" + ":".join(digest[i:i + 4] for i in range(0, 32, 4))
