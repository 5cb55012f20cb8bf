"""The license in force in this process, verified once per change and then cached.

The hot path (:func:`grants`) costs a clock read and a few comparisons. At most once per
``REFRESH_SECONDS`` a process reads the license version row; when it changed (a license was
installed, replaced or removed by any process), the active key is read and verified once more.
Every web and worker process therefore follows a change within about a second, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection

from anneal_enterprise.licensing import clock, lifecycle
from core import features
from anneal_enterprise.licensing.claims import LicenseClaims
from anneal_enterprise.licensing.errors import LicenseRefused

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Snapshot:
    """What this process knows about the installed license."""

    version: int = -1
    claims: LicenseClaims | None = None
    key_id: str = ""
    key_kind: str = ""
    source: str = ""
    source_detail: str = ""
    installed_at: datetime | None = None
    record_id: int | None = None
    error: str = ""
    ever_granted: frozenset[str] = field(default_factory=frozenset)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    """For each granted feature, the POSIX seconds from which and until which it is on."""

    def stage(self, now: datetime | None = None) -> lifecycle.Stage:
        return lifecycle.stage(self.claims, now or clock.now())


_lock = threading.RLock()
_state: dict[str, object] = {"snapshot": Snapshot(), "checked": float("-inf")}


def _load(version: int) -> Snapshot:
    from anneal_enterprise.licensing.models import LicenseKey
    from anneal_enterprise.licensing.verify import verify

    ever = frozenset(f for claims in LicenseKey.objects.values_list("claims", flat=True)
                     for f in (claims or {}).get("features", []))
    record = LicenseKey.objects.filter(is_active=True).first()
    if record is None:
        return Snapshot(version=version, ever_granted=ever)
    base = dict(version=version, source=record.source, source_detail=record.source_detail,
                installed_at=record.installed_at, record_id=record.pk, ever_granted=ever)
    try:
        verified = verify(record.key)
    except LicenseRefused as refusal:
        logger.error("The installed license key no longer verifies: %s", refusal.message)
        return Snapshot(error=refusal.message, **base)  # type: ignore[arg-type]
    claims = verified.claims
    window = (claims.starts_at.timestamp(), claims.grace_ends_at.timestamp())
    return Snapshot(claims=claims, key_id=verified.key_id, key_kind=verified.key_kind,
                    windows={feature: window for feature in claims.features}, **base)  # type: ignore[arg-type]


def _read_version() -> int:
    from anneal_enterprise.licensing.models import LicenseState

    return LicenseState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def refresh(force: bool = False) -> Snapshot:
    """Re-read the license if the version changed (or ``force``); returns the snapshot."""
    with _lock:
        snapshot: Snapshot = _state["snapshot"]  # type: ignore[assignment]
        try:
            if not connection.in_atomic_block:
                from anneal_enterprise.licensing import sources

                sources.sync_environment()
            version = _read_version()
            if force or version != snapshot.version:
                snapshot = _load(version)
        except DatabaseError as error:
            logger.warning("Could not read the license version (%s); keeping the current license.", error)
        changed = snapshot != _state["snapshot"]
        _state["snapshot"] = snapshot
        _state["checked"] = time.monotonic()
    if changed:
        features.invalidate()
    return snapshot


def current() -> Snapshot:
    """The cached snapshot, refreshed at most once per ``REFRESH_SECONDS``."""
    if time.monotonic() - _state["checked"] >= REFRESH_SECONDS:  # type: ignore[operator]
        return refresh()
    return _state["snapshot"]  # type: ignore[return-value]


def invalidate() -> None:
    """Make the next :func:`current` re-read the version (called after a change in this process)."""
    _state["checked"] = float("-inf")
    features.invalidate()


def reset() -> None:
    """Forget everything (tests)."""
    with _lock:
        _state["snapshot"] = Snapshot()
        _state["checked"] = float("-inf")
    features.invalidate()


def answers_valid_for() -> float:
    """Seconds for which :func:`grants` answers what it answers now, for the core's feature cache.

    Until the next license version check (:data:`REFRESH_SECONDS` after the last one), and no
    later than the next start or end of a feature's validity window.
    """
    snapshot = current()
    now = clock.timestamp()
    lifetime = REFRESH_SECONDS - (time.monotonic() - _state["checked"])  # type: ignore[operator]
    for start, end in snapshot.windows.values():
        for boundary in (start, end):
            if boundary > now:
                lifetime = min(lifetime, boundary - now)
    return max(0.0, lifetime)


def grants(feature: str) -> bool:
    """Does the license in force grant ``feature`` now? The entitlement hook's answer."""
    window = current().windows.get(feature)
    if window is None:
        return False
    return window[0] <= clock.timestamp() < window[1]


def was_licensed(feature: str) -> bool:
    """True when an installed license granted ``feature`` but no longer does (it lapsed or was removed)."""
    return feature in current().ever_granted and not grants(feature)
