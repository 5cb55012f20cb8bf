"""The audit log's hook implementations: the only way it attaches to the core."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from anneal_enterprise.audit import capture
from core.access import role_of
from core.events.types import Event
from core.plugins import hookimpl
from core.plugins.types import (
    DiagnosticCollector,
    EventType,
    HealthCheck,
    HealthCheckResult,
    NavItem,
    PeriodicTask,
)
from core.roles import Permission, allows

EVENT_TYPES = [
    EventType("audit.destination.created", "An audit streaming destination was added.", "audit", "notice"),
    EventType("audit.destination.updated", "An audit streaming destination was changed.", "audit", "notice"),
    EventType("audit.destination.deleted", "An audit streaming destination was removed.", "audit", "warning"),
    EventType("audit.retention.changed", "An organization's audit retention period was changed.", "audit", "warning"),
    EventType("audit.purged", "Audit records past the retention period were purged.", "audit", "notice"),
    EventType("audit.export.requested", "An export of audit records was requested.", "audit", "info"),
]


@hookimpl
def anneal_event(event: Event) -> None:
    capture.capture(event)


@hookimpl
def anneal_event_types() -> list[EventType]:
    return EVENT_TYPES


@hookimpl
def anneal_periodic_tasks() -> list[PeriodicTask]:
    return [
        PeriodicTask("audit-seal", "anneal_audit.seal", float(getattr(settings, "ANNEAL_AUDIT_SEAL_SECONDS", 10))),
        PeriodicTask("audit-stream", "anneal_audit.dispatch_deliveries",
                     float(getattr(settings, "ANNEAL_AUDIT_STREAM_SECONDS", 5))),
        PeriodicTask("audit-retention", "anneal_audit.purge_expired", 3600.0),
    ]


@hookimpl
def anneal_navigation(request: HttpRequest, organization: Any) -> list[NavItem]:
    items = []
    if organization is not None and allows(role_of(request.user, organization), Permission.MANAGE):
        items.append(NavItem("Audit log", reverse("enterprise:audit-records", args=[organization.slug]),
                             section="organization", order=80, feature="audit_log"))
    if getattr(request.user, "is_staff", False):
        items.append(NavItem("Instance audit log", reverse("enterprise:audit-instance"), section="admin", order=80))
    return items


@hookimpl
def anneal_template_slot(slot: str, request: HttpRequest, context: dict[str, Any]) -> str | None:
    """On the System page: where staff find the instance's own audit trail."""
    if slot != "system" or not getattr(request.user, "is_staff", False):
        return None
    return format_html(
        '<div class="card" id="instance-audit"><h2>Audit log</h2><p>The <a href="{}">instance audit log</a> holds '
        "the events that belong to no organization: accounts created and changed, sign-ins and failed sign-ins, "
        'the license. <a href="{}">Verify the integrity</a> of every organization\'s audit log.</p></div>',
        reverse("enterprise:audit-instance"), reverse("enterprise:audit-integrity"))


@hookimpl
def anneal_urlpatterns() -> str:
    return "anneal_enterprise.audit.urls"


@hookimpl
def anneal_api_urlpatterns() -> list[str]:
    return ["anneal_enterprise.audit.api", "anneal_enterprise.audit.api_destinations"]


def sealing_health() -> HealthCheckResult:
    """Records waiting longer than ten seal intervals mean the sealer is not running."""
    from datetime import timedelta

    from django.utils import timezone

    from anneal_enterprise.audit.models import AuditRecord, AuditSealState

    state = AuditSealState.objects.filter(id=1).first()
    waiting = AuditRecord.objects.filter(id__gt=state.sealed_through if state else 0).order_by("id").first()
    if waiting is None:
        return HealthCheckResult(True, "Every audit record is sealed.")
    limit = timedelta(seconds=10 * float(getattr(settings, "ANNEAL_AUDIT_SEAL_SECONDS", 10)))
    if timezone.now() - waiting.occurred_at > limit:
        return HealthCheckResult(False, f"Audit record #{waiting.id} has waited more than {limit} to be sealed.",
                                 "Start `anneal beat` and a worker (or run `anneal audit seal`).")
    return HealthCheckResult(True, "Audit sealing is keeping up.")


def audit_counts() -> dict[str, Any]:
    from anneal_enterprise.audit.models import AuditCheckpoint, AuditDestination, AuditRecord, AuditSealState

    state = AuditSealState.objects.filter(id=1).first()
    return {
        "records": AuditRecord.objects.count(),
        "checkpoints": AuditCheckpoint.objects.count(),
        "sealed_through": state.sealed_through if state else 0,
        "instance_head": state.head_sequence if state else 0,
        "destinations": AuditDestination.objects.count(),
        "destinations_failing": AuditDestination.objects.exclude(failing_since=None).count(),
    }


@hookimpl
def anneal_health_checks() -> list[HealthCheck]:
    return [HealthCheck("audit-sealing", "Audit records are sealed and signed on schedule.", sealing_health,
                        critical=False)]


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    return [DiagnosticCollector("audit_log", "Audit log counts: records, checkpoints, destinations.", audit_counts)]


@hookimpl
def anneal_egress_destinations() -> list[Any]:
    from anneal_enterprise.audit.models import AuditDestination
    from core.models import Organization
    from core.plugins import EgressDestination

    rows = list(AuditDestination.objects.all())
    names = dict(Organization.objects.filter(pk__in={d.organization_id for d in rows}).values_list("pk", "name"))
    return [EgressDestination("Audit streaming", f"{d.name} ({d.get_kind_display()})",
                              d.url if d.kind == "webhook" else f"{d.host}:{d.port or 514}",
                              names.get(d.organization_id, f"organization {d.organization_id}")) for d in rows]
