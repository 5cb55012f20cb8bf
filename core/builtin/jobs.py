"""The core's periodic jobs, scheduled through ``anneal_periodic_tasks`` like any plugin's."""

from core.plugins import PeriodicTask, hookimpl


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [PeriodicTask("core.clear-expired-sessions", "core.clear_expired_sessions", seconds=3600)]
