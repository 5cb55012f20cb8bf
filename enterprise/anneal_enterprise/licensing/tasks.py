"""Celery tasks of the licensing package."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anneal_licensing.check_license")
def check_license() -> list[str]:
    """Install a key from the environment if needed and report expiry and seat overage once."""
    from anneal_enterprise.licensing import alerts, sources

    sources.sync_environment()
    return alerts.report_lifecycle()


@shared_task(name="anneal_licensing.feature_states")
def feature_states() -> dict[str, str]:
    """Each enterprise feature's state as this worker sees it."""
    from anneal_enterprise import entitlements

    return {name: entitlements.state(name) for name in ("sso", "audit_log", "support")}


@shared_task(name="anneal_licensing.take_usage_snapshot")
def take_usage_snapshot() -> str | None:
    """Take yesterday's usage snapshot (UTC) if it was not taken yet; returns its day."""
    from anneal_enterprise.licensing.usage import snapshots

    taken = snapshots.take()
    return taken.day.isoformat() if taken else None
