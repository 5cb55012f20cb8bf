"""A database from before sequence numbers and instance heads: its checkpoints are numbered by
the migration, keep verifying under their version-1 signatures, and the next seal run anchors them."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from anneal_enterprise.audit import sealing, signing, verify
from anneal_enterprise.audit.canonical import checkpoint_message
from anneal_enterprise.audit.documents import checkpoint_dict
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead
from core.services import projects

pytestmark = pytest.mark.django_db

migration = importlib.import_module("anneal_enterprise.audit.migrations.0004_instance_chain")


class StatementRunner:
    """The part of a schema editor the data migration uses (SQLite refuses a real one inside a test's transaction)."""

    connection = connection

    def execute(self, sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])


def make_legacy(tamper) -> None:
    """Rewrite every checkpoint as version 1 (signed without sequence or hash link), numbered 0,
    and remove the instance heads: what 0002 left behind."""
    key_id, private_key = signing.current_key()
    rows = list(AuditCheckpoint.objects.order_by("id"))
    previous: dict = {}
    tamper("DELETE FROM anneal_audit_auditinstancehead")
    tamper("UPDATE anneal_audit_auditsealstate SET head_sequence = 0")
    for checkpoint in rows:
        checkpoint.version, checkpoint.sequence, checkpoint.previous_hash = 1, 0, ""
        checkpoint.previous_signature = previous.get(checkpoint.organization_id, "")
        checkpoint.signature = signing.sign(private_key, checkpoint_message(checkpoint_dict(checkpoint)))
        previous[checkpoint.organization_id] = checkpoint.signature
        tamper("UPDATE anneal_audit_auditcheckpoint SET version = 1, sequence = 0, previous_hash = '', "
               "previous_signature = %s, signature = %s WHERE id = %s",
               [checkpoint.previous_signature, checkpoint.signature, checkpoint.id])


def test_legacy_checkpoints_are_numbered_verified_and_anchored_by_the_next_run(organization, tamper):
    for run in range(3):
        projects.create_project(organization, f"Run {run}")
        sealing.seal()
    make_legacy(tamper)
    migration.number_checkpoints(None, StatementRunner())

    assert list(AuditCheckpoint.objects.filter(organization_id=organization.pk).order_by("id")
                .values_list("sequence", "version")) == [(1, 1), (2, 1), (3, 1)]
    assert all(report.intact for report in verify.verify_all())
    sealing.seal()  # nothing new to seal, but nothing anchored yet
    assert AuditInstanceHead.objects.count() == 1
    projects.create_project(organization, "After the upgrade")
    sealing.seal()
    newest = AuditCheckpoint.objects.filter(organization_id=organization.pk).order_by("-id").first()
    assert (newest.version, newest.sequence) == (2, 4)
    assert all(report.intact for report in verify.verify_all()), [r.summary() for r in verify.verify_all()]
