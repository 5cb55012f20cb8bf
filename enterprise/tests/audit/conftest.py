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


TABLES = ["anneal_audit_auditrecord", "anneal_audit_auditseal", "anneal_audit_auditcheckpoint"]


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
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks in-process for this test, also in services mode."""
    from core.jobs import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


WORKER_PLUGIN = '''"""Grants audit_log in processes started by a test (a Celery worker)."""
from core.plugins import hookimpl


@hookimpl
def anneal_feature_enabled(name, organization):
    return True if name == "audit_log" else None
'''


@pytest.fixture
def worker_audit_license(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install, for child processes only, a real entry-point plugin that grants ``audit_log``.

    Request it before ``celery_worker_process`` so the worker starts with it on its path.
    """
    import os

    (tmp_path / "anneal_test_audit_license.py").write_text(WORKER_PLUGIN)
    dist = tmp_path / "anneal_test_audit_license-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: anneal-test-audit-license\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[anneal]\ntest-audit-license = anneal_test_audit_license\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """These tests are about audit records, not passwords: skip argon2's deliberate slowness."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
