"""Fixtures for the audit log tests: the feature switched on by a real plugin, tampering helpers."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from django.db import connection

from core.plugins import hookimpl


class AuditLicensed:
    """Stands in for a license that grants ``audit_log`` (the licensing work answers the same hook)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    @hookimpl
    def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
        return self.enabled if name == "audit_log" else None


@pytest.fixture
def audit_license(anneal_plugin: Callable[..., Any]) -> AuditLicensed:
    """The ``audit_log`` feature, on; set ``.enabled = False`` to let it lapse."""
    return anneal_plugin(AuditLicensed(), name="test-audit-license")  # type: ignore[return-value]


@pytest.fixture
def read_only(audit_license: AuditLicensed, monkeypatch: pytest.MonkeyPatch) -> AuditLicensed:
    """A license that granted ``audit_log`` and lapsed: the licensing status says so."""
    from anneal_enterprise.licensing import status

    audit_license.enabled = False
    monkeypatch.setattr(status, "was_licensed", lambda feature: feature == "audit_log")
    return audit_license


@pytest.fixture
def organization(audit_license: AuditLicensed, make_user: Callable[..., Any]) -> Any:
    """An organization created through the core's service, so its creation is audited."""
    from core.services.organizations import create_organization

    return create_organization(make_user(email="owner@example.com"), "Acme")


TABLES = ["anneal_audit_auditrecord", "anneal_audit_auditseal", "anneal_audit_auditcheckpoint",
          "anneal_audit_auditinstancehead"]


@pytest.fixture
def tamper() -> Iterator[Callable[..., None]]:
    """``tamper(sql, params)``: run SQL as the table owner, bypassing the append-only triggers."""
    postgres = connection.vendor == "postgresql"

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            if postgres:
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params or [])
            if postgres:
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    yield run


@pytest.fixture
def worker_audit_license(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real license granting ``audit_log``, in force here and in processes started after it.

    Request it before ``celery_worker_process`` so the worker starts knowing the throwaway key.
    """
    from anneal_enterprise.licensing.testing import licensed

    with licensed(settings, features=["audit_log"]) as signer:
        monkeypatch.setenv("ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS", signer.extra_public_keys_json())
        yield signer



@pytest.fixture
def sealed_pair(organization: Any) -> tuple[Any, Any, list[int]]:
    """``organization`` and another with interleaved records (so ids have gaps per organization),
    sealed: ``(organization, other, ids of organization's records)``."""
    from anneal_enterprise.audit import sealing
    from anneal_enterprise.audit.models import AuditRecord
    from core.services import projects
    from core.services.organizations import create_organization

    other = create_organization(organization.memberships.get().user, "Other")
    for number in range(4):
        projects.create_project(organization, f"Project {number}")
        projects.create_project(other, f"Project {number}")
    assert sealing.seal().records == AuditRecord.objects.count()
    ids = list(AuditRecord.objects.filter(organization_id=organization.pk).order_by("id").values_list("id", flat=True))
    return organization, other, ids
