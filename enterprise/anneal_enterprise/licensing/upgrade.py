"""Before an upgrade: does the new version still know the key that signed the license in force?

A release may retire a signing key. An installation whose license was signed with a retired key
would drop to the free edition the moment the new version starts, so ``anneal upgrade check``
says so beforehand (through the ``anneal_upgrade_checks`` hook).
"""

from __future__ import annotations

import json

from django.db import DatabaseError

from anneal_enterprise.licensing import keyring, sources
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.verify import VerifiedLicense, verify
from core.plugins import UpgradeFinding, UpgradeTarget

TOPIC = "license"


def license_in_force() -> tuple[VerifiedLicense, str] | None:
    """The license this installation runs with and where it comes from, or ``None``."""
    found = sources.environment_key()
    if found is not None:
        text, _, detail = found
        try:
            return verify(text), detail
        except LicenseRefused:
            pass  # refused keys are never in force; the installed one stays
    from anneal_enterprise.licensing.models import LicenseKey

    try:
        record = LicenseKey.objects.filter(is_active=True).first()
    except DatabaseError:  # the licensing tables do not exist yet (an older schema)
        return None
    if record is None:
        return None
    try:
        return verify(record.key), "the installed license"
    except LicenseRefused:
        return None


def _new_key_ids(target: UpgradeTarget) -> set[str] | None:
    text = target.read_text("anneal_enterprise.licensing", "keys/keys.json")
    if text is None:
        return None
    return set(json.loads(text))


def check(target: UpgradeTarget) -> list[UpgradeFinding]:
    in_force = license_in_force()
    if in_force is None:
        return [UpgradeFinding("ok", TOPIC, "No license is in force; nothing to carry over.")]
    license, where = in_force
    key_id = license.key_id
    details = {"key_id": key_id, "license_id": license.claims.license_id}
    shipped = _new_key_ids(target)
    if shipped is None:
        return [UpgradeFinding("warning", TOPIC, (
            f"The new version has no enterprise package: the license {license.claims.license_id} ({where}) will not "
            "be read and enterprise features switch off. Put anneal-enterprise in the wheelhouse to keep them."),
            details)]
    if key_id in shipped:
        return [UpgradeFinding("ok", TOPIC, (
            f"The license {license.claims.license_id} ({where}) is signed with {key_id}, which Anneal "
            f"{target.version} knows."), details)]
    if key_id in keyring.extra_keys():
        return [UpgradeFinding("warning", TOPIC, (
            f"The license {license.claims.license_id} ({where}) is signed with the test key {key_id} from "
            f"{keyring.SETTING}; it stays valid only while that setting stays."), details)]
    return [UpgradeFinding("blocker", TOPIC, (
        f"The license {license.claims.license_id} ({where}) is signed with {key_id}, which Anneal {target.version} no "
        f"longer knows (it knows {', '.join(sorted(shipped)) or 'no key'}): after the upgrade the instance would run as "
        "the free edition. Ask for a license signed with a current key and install it before upgrading."), details)]
