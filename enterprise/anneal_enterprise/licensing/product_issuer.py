"""The edition's issuer of a product built on Anneal, from what its distribution declares.

A vendor's distribution declares its product with the ``anneal_product`` hook; when the product
has ``licensing`` (a :class:`core.plugins.ProductLicensing`), this module turns it into the
primary issuer (:func:`.keyring.add_issuer_source`): its product id is the ``product`` claim of
every license key of the edition, its production and test keys verify them, and its licenses set
seats and quotas. Its keys may grant the product's own features, named ``<plugin>.<feature>``
after the declaring plugin (a feature of another name is ignored with an error in the log), and
Anneal Enterprise's features when ``includes_enterprise`` is set. Anneal's own keys are refused
on the instance unless ``trust_anneal_keys`` is set (see :func:`.verify.trusted_issuer`).

The issuer is built once per plugin generation: the product is read while plugins load.
"""

from __future__ import annotations

import logging
from typing import Any

from anneal_enterprise.licensing import issuers, keyring
from anneal_enterprise.licensing.claims import FEATURES, PRODUCT
from core import product
from core.plugins import manager

logger = logging.getLogger(__name__)

_cache: dict[str, Any] = {"generation": -1, "issuer": None}


def _build() -> keyring.Issuer | None:
    plugin = product.declared_by()
    declared = product.current()
    licensing = declared.licensing
    if plugin is None or licensing is None:
        return None
    product_id = str(licensing.product_id or "").strip()
    if not product_id or product_id == PRODUCT or "." in product_id:
        logger.error("Product %s declares the product id %r, which is empty, taken by Anneal or has a dot; "
                     "its licensing is ignored.", declared.name, licensing.product_id)
        return None
    namespace = f"{plugin}."
    own = []
    for feature in licensing.features:
        if isinstance(feature, str) and feature.startswith(namespace) and len(feature) > len(namespace):
            own.append(feature)
        else:
            logger.error("Product %s declares the licensed feature %r outside its own name (%s<feature>); ignored.",
                         declared.name, feature, namespace)
    keys = issuers.public_keys(plugin, product_id, licensing.public_keys)
    if not keys:
        logger.error("Product %s declares licensing without a usable public key; Anneal Enterprise's license "
                     "stays the edition's.", declared.name)
        return None
    bundles = frozenset(FEATURES) if licensing.includes_enterprise else frozenset()
    return keyring.Issuer(product_id, licensing.edition or f"{declared.name} Enterprise", keys,
                          frozenset(own) | bundles, namespace=namespace, primary=True, bundles=bundles,
                          replaces_anneal=True, trusts_anneal_keys=licensing.trust_anneal_keys)


def edition_issuer() -> keyring.Issuer | None:
    """The product's issuer, or ``None`` when the instance runs Anneal (or the product has no licensing)."""
    if _cache["generation"] != manager.generation():
        _cache.update(generation=manager.generation(), issuer=_build())
    return _cache["issuer"]


def product_issuers() -> list[keyring.Issuer]:
    """The issuer source registered with the keyring when the app is ready."""
    issuer = edition_issuer()
    return [issuer] if issuer is not None else []


def is_product_feature(name: str) -> bool:
    """Is ``name`` one of the product's own licensed features? (cached per plugin generation)"""
    issuer = edition_issuer()
    return issuer is not None and name in issuer.features and name not in FEATURES


def edition_label() -> str:
    """The edition's name on pages and in messages: "Anneal Enterprise" or the product's edition."""
    return keyring.primary_issuer().label
