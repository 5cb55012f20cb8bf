"""Who may read the audit log, and what the license allows right now."""

from __future__ import annotations

from typing import Any

from anneal_enterprise import entitlements


def state(organization: Any) -> entitlements.State:
    """``enabled``: everything; ``read_only``: read, export, verify; ``unavailable``: nothing."""
    return entitlements.state(entitlements.AUDIT_LOG, organization)


def can_read(organization: Any) -> bool:
    return state(organization) != "unavailable"


def can_configure(organization: Any) -> bool:
    return state(organization) == "enabled"


UNAVAILABLE = ("The audit log is not included in this instance's license. Install a license with the "
               "audit_log feature on the License page.")
READ_ONLY = ("The license no longer includes the audit log: existing records stay readable, exportable and "
             "verifiable, but nothing new can be configured. Renew the license to change this.")
