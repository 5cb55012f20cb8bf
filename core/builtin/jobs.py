"""The core's periodic jobs, scheduled through ``anneal_periodic_tasks`` like any plugin's."""

from core.plugins import PeriodicTask, hookimpl


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    from core.metering import FLUSH_SECONDS

    return [
        PeriodicTask("core.clear-expired-sessions", "core.clear_expired_sessions", seconds=3600),
        PeriodicTask("core.flush-meter-usage", "core.flush_meter_usage", seconds=FLUSH_SECONDS),
    ]
