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
from typing import Callable

from django.db import DatabaseError, connection

from anneal_enterprise.licensing import clock, keyring, lifecycle, trial_grant
from anneal_enterprise.licensing.claims import PRODUCT, LicenseClaims
from core import features
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey, LicenseState
from anneal_enterprise.licensing.verify import verify

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class InForce:
    """One installed license: Anneal Enterprise's or a plugin vendor's (one per product)."""

    product: str
    claims: LicenseClaims | None = None
    key_id: str = ""
    key_kind: str = ""
    issuer: str = ""
    source: str = ""
    source_detail: str = ""
    installed_at: datetime | None = None
    record_id: int | None = None
    error: str = ""

    def stage(self, now: datetime | None = None) -> lifecycle.Stage:
        return lifecycle.stage(self.claims, now or clock.now())


@dataclass(frozen=True)
class Snapshot:
    """What this process knows about the installed licenses.

    ``licenses`` holds every installed license by product; the attributes ``claims``,
    ``key_id``, ... describe the primary license (Anneal Enterprise's unless a product built on
    Anneal declares its own issuer primary): the one that limits seats and quotas.
    """

    version: int = -1
    primary_product: str = PRODUCT
    """The product whose license sets seats and quotas (:func:`.keyring.primary_product`)."""
    licenses: dict[str, InForce] = field(default_factory=dict)
    ever_granted: frozenset[str] = field(default_factory=frozenset)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    """For each granted feature, the POSIX seconds from which and until which it is on."""

    @property
    def primary(self) -> InForce:
        return self.licenses.get(self.primary_product) or InForce(self.primary_product)

    @property
    def claims(self) -> LicenseClaims | None:
        return self.primary.claims

    @property
    def key_id(self) -> str:
        return self.primary.key_id

    @property
    def key_kind(self) -> str:
        return self.primary.key_kind

    @property
    def source(self) -> str:
        return self.primary.source

    @property
    def source_detail(self) -> str:
        return self.primary.source_detail

    @property
    def installed_at(self) -> datetime | None:
        return self.primary.installed_at

    @property
    def record_id(self) -> int | None:
        return self.primary.record_id

    @property
    def error(self) -> str:
        return self.primary.error

    def stage(self, now: datetime | None = None) -> lifecycle.Stage:
        return self.primary.stage(now)


_lock = threading.RLock()
_state: dict[str, object] = {"snapshot": Snapshot(), "checked": float("-inf")}
_before_refresh: list[Callable[[], None]] = []


def before_refresh(step: Callable[[], None]) -> None:
    """Run ``step`` before each refresh outside a transaction (the environment's key is installed so)."""
    if step not in _before_refresh:
        _before_refresh.append(step)


def _in_force(record: LicenseKey) -> InForce:
    base = dict(product=record.product, source=record.source, source_detail=record.source_detail,
                installed_at=record.installed_at, record_id=record.pk)
    try:
        if record.source == LicenseKey.Source.TRIAL:
            grant, claims = trial_grant.installed_claims(record)
            return InForce(claims=claims, key_id=grant.key_id, key_kind=grant.key_kind, issuer=grant.issuer,
                           **base)  # type: ignore[arg-type]
        verified = verify(record.key)
    except LicenseRefused as refusal:
        logger.error("The installed license key %s no longer verifies: %s", record.license_id, refusal.message)
        return InForce(error=refusal.message, **base)  # type: ignore[arg-type]
    return InForce(claims=verified.claims, key_id=verified.key_id, key_kind=verified.key_kind,
                   issuer=verified.issuer, **base)  # type: ignore[arg-type]


def _load(version: int) -> Snapshot:
    ever = frozenset(f for claims in LicenseKey.objects.values_list("claims", flat=True)
                     for f in (claims or {}).get("features", []))
    licenses: dict[str, InForce] = {}
    windows: dict[str, tuple[float, float]] = {}
    for record in LicenseKey.objects.filter(is_active=True).order_by("product"):
        entry = _in_force(record)
        licenses[entry.product] = entry
        if entry.claims is not None:
            window = (entry.claims.starts_at.timestamp(), entry.claims.grace_ends_at.timestamp())
            windows.update({feature: window for feature in entry.claims.features})
    return Snapshot(version=version, primary_product=keyring.primary_product(), licenses=licenses,
                    ever_granted=ever, windows=windows)


def _read_version() -> int:
    return LicenseState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def refresh(force: bool = False) -> Snapshot:
    """Re-read the license if the version changed (or ``force``); returns the snapshot."""
    with _lock:
        snapshot: Snapshot = _state["snapshot"]  # type: ignore[assignment]
        try:
            if not connection.in_atomic_block:
                for step in _before_refresh:
                    step()
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
