"""Acme Cloud's licensing: its product id, its public keys, its own licensed feature and its trial.

Read while settings load (from ``plugin.py``), so this module imports nothing from Django. Only
public keys are shipped (``keys/``); Acme keeps the private keys and signs license keys and the
trial grant with Anneal's issuing tool (``enterprise/tools/issue_license.py``).
"""

from __future__ import annotations

import json
from importlib import resources

from core.plugins import ProductLicensing, TrialOffer

PRODUCT_ID = "acme-cloud"
INSIGHTS = "acme.insights"
"""Acme's own licensed feature: named after the plugin (``acme``), as a product's features must be."""
TRIAL_DAYS = 30


def _keys():  # type: ignore[no-untyped-def]
    return resources.files("acme_product").joinpath("keys")


def public_keys() -> dict[str, tuple[str, str]]:
    """``{key_id: (kind, PEM)}`` from ``keys/keys.json``: the production and the test key."""
    folder = _keys()
    manifest = json.loads(folder.joinpath("keys.json").read_text("utf-8"))
    return {key_id: (entry["kind"], folder.joinpath(entry["file"]).read_text("ascii"))
            for key_id, entry in manifest.items()}


def trial_grant() -> str:
    """The signed trial grant shipped in the distribution (empty when there is none)."""
    grant = _keys().joinpath("trial-grant.license")
    return grant.read_text("ascii") if grant.is_file() else ""


def product_licensing() -> ProductLicensing:
    return ProductLicensing(
        product_id=PRODUCT_ID,
        public_keys=public_keys(),
        features=(INSIGHTS,),
        includes_enterprise=True,
        trust_anneal_keys=False,
        trial=TrialOffer(grant=trial_grant(), days=TRIAL_DAYS),
    )
