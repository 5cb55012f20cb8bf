"""Plugin vendors as license issuers, from the ``anneal_license_issuers`` hook.

A plugin named ``acme-reports`` (its entry-point name) that returns a
``core.plugins.LicenseIssuer`` becomes the issuer of product ``acme-reports``: keys signed by
its public keys must say ``"product": "acme-reports"`` and may grant only features named
``acme-reports.<feature>``. What a plugin declares outside that (a feature of another name, a
key of an unknown kind, a key that does not parse) is ignored with an error in the log, so a
plugin can never widen what its keys unlock. The plugins are asked on every verification (a
plugin may read its keys from settings); the set of licensed feature names is cached per plugin
generation for the feature check.
"""

from __future__ import annotations

import logging
from typing import Any

from anneal_enterprise.licensing import keyring
from core.plugins import hooks, manager

logger = logging.getLogger(__name__)

_cache: dict[str, Any] = {"generation": -1, "features": frozenset()}


def _issuer(plugin: str, declared: Any) -> keyring.Issuer | None:
    namespace = f"{plugin}."
    features = []
    for feature in getattr(declared, "features", ()):
        if isinstance(feature, str) and feature.startswith(namespace) and len(feature) > len(namespace):
            features.append(feature)
        else:
            logger.error("Plugin %s declares the licensed feature %r outside its own name (%s<feature>); ignored.",
                         plugin, feature, namespace)
    keys = public_keys(plugin, plugin, getattr(declared, "public_keys", {}))
    if not keys:
        logger.error("Plugin %s declares a license issuer without a usable public key; ignored.", plugin)
        return None
    return keyring.Issuer(plugin, str(getattr(declared, "label", "") or plugin), keys, frozenset(features),
                          namespace=namespace)


def public_keys(owner: str, product: str, declared: Any) -> dict[str, keyring.PublicKey]:
    """``{key_id: (kind, key)}`` as a plugin declares them, parsed; what does not parse is logged and ignored."""
    keys: dict[str, keyring.PublicKey] = {}
    for key_id, entry in dict(declared or {}).items():
        try:
            kind, text = entry
            if kind not in keyring.KEY_KINDS:
                raise ValueError(f"the kind must be production or test, not {kind!r}")
            keys[str(key_id)] = keyring.PublicKey(str(key_id), kind, keyring.load_public_key(str(text)),
                                                  shipped=True, product=product)
        except (TypeError, ValueError) as error:
            logger.error("Plugin %s: license key %r is ignored (%s).", owner, key_id, error)
    return keys


def plugin_issuers() -> list[keyring.Issuer]:
    """Every plugin's issuer, asked afresh (verification is rare: an install, a preview, a license change)."""
    found = []
    for plugin, declared in hooks.license_issuers():
        issuer = _issuer(plugin, declared)
        if issuer is not None:
            found.append(issuer)
    _cache.update(generation=manager.generation(), features=frozenset(f for i in found for f in i.features))
    return found


def is_plugin_feature(name: str) -> bool:
    """Is ``name`` a licensed feature that a plugin declared? (one set lookup, cached per plugin generation)"""
    if _cache["generation"] != manager.generation():
        plugin_issuers()
    return name in _cache["features"]
