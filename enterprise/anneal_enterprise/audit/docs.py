"""Generates ``docs/enterprise/audit-events.md`` from the event registry.

    anneal audit docs > docs/enterprise/audit-events.md
"""

from __future__ import annotations

from collections import defaultdict

from anneal_enterprise.audit.siem import mappings
from core.events import registry


def event_types_page() -> str:
    by_type = {m.event_type: m for m in mappings()}
    grouped = defaultdict(list)
    for name, event_type in sorted(registry.event_types().items()):
        grouped[event_type.category].append(event_type)
    lines = [
        "# Audit event types",
        "",
        "<!-- Generated from the event registry by `anneal audit docs`; do not edit by hand. -->",
        "",
        "Every event type registered through `anneal_event_types` (by the core, the enterprise package and",
        "installed plugins) is recorded in the audit log. The SIEM columns give the CEF severity (0-10)",
        "and the OCSF class each type is mapped to when streamed or exported.",
        "",
    ]
    for category in sorted(grouped):
        lines += [f"## {category}", "", "| Event type | Description | Severity | CEF severity | OCSF class |",
                  "|---|---|---|---|---|"]
        for event_type in grouped[category]:
            mapping = by_type[event_type.name]
            lines.append(f"| `{event_type.name}` | {event_type.description} | {event_type.severity} | "
                         f"{mapping.cef_severity} | {mapping.ocsf_class_uid} {mapping.ocsf_class_name} |")
        lines.append("")
    return "\n".join(lines)
