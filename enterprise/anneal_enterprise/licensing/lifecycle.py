"""The stages of a license's life, decided by the date alone.

=============  ==========================================  ==========================
stage          from (inclusive) ... until (exclusive)      enterprise features
=============  ==========================================  ==========================
``unlicensed`` no license installed                        off (free edition)
``valid``      ``starts_at`` ... ``expires_at - 30 days``  on
``expiring``   ``expires_at - 30 days`` ... ``expires_at`` on; banner to instance admins
``grace``      ``expires_at`` ... ``expires_at + grace``   on; banner to every admin
``expired``    ``expires_at + grace`` ...                  off, existing data read-only
=============  ==========================================  ==========================
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from anneal_enterprise.licensing.claims import LicenseClaims

Stage = Literal["unlicensed", "not_started", "valid", "expiring", "grace", "expired"]
IN_FORCE: frozenset[str] = frozenset({"valid", "expiring", "grace"})


def stage(claims: LicenseClaims | None, now: datetime) -> Stage:
    if claims is None:
        return "unlicensed"
    if now < claims.starts_at:
        return "not_started"
    if now >= claims.grace_ends_at:
        return "expired"
    if now >= claims.expires_at:
        return "grace"
    if now >= claims.warning_starts_at:
        return "expiring"
    return "valid"
