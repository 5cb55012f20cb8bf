"""Audit records and what proves them: seals (per-record hashes), signed checkpoints, keys.

The organization is stored as a plain id, never a foreign key: deleting an organization
must not delete (or block on) its audit trail. On PostgreSQL the record, seal and checkpoint
tables are append-only (see ``migrations/0002_append_only``).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils import timezone


class AuditRecord(models.Model):
    """One event, written in the transaction of the change it describes."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(help_text="The event's id, for receivers to deduplicate; no query looks it up.")
    organization_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    type = models.CharField(max_length=100)
    actor_kind = models.CharField(max_length=20)
    actor_id = models.CharField(max_length=100, blank=True, default="")
    actor_display = models.CharField(max_length=300, blank=True, default="")
    target_type = models.CharField(max_length=100, blank=True, default="")
    target_id = models.CharField(max_length=100, blank=True, default="")
    target_display = models.CharField(max_length=300, blank=True, default="")
    details = models.TextField(default="{}", help_text="Canonical JSON: the diff (secrets removed) and data.")
    ip = models.CharField(max_length=64, blank=True, default="")
    user_agent = models.CharField(max_length=500, blank=True, default="")
    request_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        # Each index serves a query of the product (plans in docs/benchmarks.md); every other one
        # would only slow the audited write down. No unique index on event_id: nothing looks it up.
        # The time filter reads a BRIN index on (occurred_at, id) (PostgreSQL, migrations/0006 and 0007).
        indexes = [
            # Keyset pagination (newest first) inside an organization, with optional filters.
            models.Index(fields=["organization_id", "-id"], name="audit_org_id"),
            models.Index(fields=["organization_id", "type", "-id"], name="audit_org_type_id"),
            models.Index(fields=["organization_id", "actor_id", "-id"], name="audit_org_actor_id"),
            models.Index(fields=["organization_id", "target_type", "target_id", "-id"], name="audit_org_target_id"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    @property
    def parsed_details(self) -> dict[str, Any]:
        return json.loads(self.details or "{}")

    @property
    def diff(self) -> dict[str, Any]:
        return self.parsed_details.get("diff", {})

    @property
    def data(self) -> dict[str, Any]:
        return self.parsed_details.get("data", {})


class AuditSeal(models.Model):
    """The sealer's hashes for one record: ``leaf`` of its content, ``chain`` over all before it."""

    record_id = models.BigIntegerField(primary_key=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    leaf = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organization_id", "record_id"], name="audit_seal_org")]


class AuditCheckpoint(models.Model):
    """A signed statement over an organization's chain head, like a CloudTrail digest file.

    ``kind`` is ``"seal"`` (records ``first_record_id``..``last_record_id`` were sealed and the
    chain ends in ``head``) or ``"purge"`` (records up to ``last_record_id`` were removed by the
    retention purge; the chain continues from ``head``).
    """

    KINDS = [("seal", "Seal"), ("purge", "Purge")]

    organization_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=2, help_text="Which fields the signature covers.")
    sequence = models.BigIntegerField(default=0, help_text="1, 2, 3, … per organization.")
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(max_length=10, choices=KINDS, default="seal")
    first_record_id = models.BigIntegerField()
    last_record_id = models.BigIntegerField()
    record_count = models.BigIntegerField()
    head = models.CharField(max_length=64)
    previous_signature = models.CharField(max_length=200, blank=True, default="")
    key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    signature = models.CharField(max_length=200)
    # A purge only: the retention period in force, the cutoff it purged before, the newest record it removed.
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    cutoff = models.DateTimeField(null=True, blank=True)
    newest_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization_id", "id"], name="audit_checkpoint_org"),
                   models.Index(fields=["organization_id", "sequence"], name="audit_checkpoint_org_seq")]


class AuditInstanceHead(models.Model):
    """A signed statement over every organization's newest checkpoint, chained instance-wide.

    Each sealing run and each purge appends one: ``changed`` lists ``[organization id,
    checkpoint sequence, checkpoint hash]`` of the checkpoints it added, ``state_hash`` commits
    to the newest checkpoint of *every* organization, ``sealed_through`` to the sealer's state.
    Removing an organization's newest checkpoints, or its whole trail, no longer matches it.
    """

    sequence = models.BigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    changed = models.TextField(default="[]", help_text="Canonical JSON.")
    state_hash = models.CharField(max_length=64)
    sealed_through = models.BigIntegerField()
    key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    signature = models.CharField(max_length=200)


class AuditSigningKey(models.Model):
    """An Ed25519 key that signs checkpoints. The private half is encrypted with the secret key."""

    key_id = models.CharField(max_length=32, unique=True)
    public_key = models.TextField()
    encrypted_private_key = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)


class AuditSealState(models.Model):
    """How far the sealer got: every record with ``id <= sealed_through`` is sealed (singleton)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sealed_through = models.BigIntegerField(default=0)
    head_sequence = models.BigIntegerField(default=0, help_text="Sequence number of the newest instance head.")
    last_run_at = models.DateTimeField(null=True, blank=True)


class AuditPolicy(models.Model):
    """Per organization settings of the audit log. No row means the defaults (keep forever)."""

    organization_id = models.BigIntegerField(unique=True)
    retention_days = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: keep forever.")


class AuditExport(models.Model):
    """A background export of a range of records to CSV or JSON Lines."""

    FORMATS = [("jsonl", "JSON Lines"), ("csv", "CSV")]
    STATUSES = [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")]

    organization_id = models.BigIntegerField()
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    format = models.CharField(max_length=10, choices=FORMATS)
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    total = models.BigIntegerField(default=0)
    done = models.BigIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def progress(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class AuditDestination(models.Model):
    """Where an organization's records are streamed: an HTTPS webhook or a syslog receiver."""

    KINDS = [("webhook", "HTTPS webhook"), ("syslog", "Syslog (RFC 5424 over TCP)")]

    organization_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KINDS)
    url = models.CharField(max_length=500, blank=True, default="", help_text="Webhook URL.")
    host = models.CharField(max_length=255, blank=True, default="", help_text="Syslog host.")
    port = models.PositiveIntegerField(null=True, blank=True)
    tls = models.BooleanField(default=False)
    tls_ca_encrypted = models.TextField(blank=True, default="",
                                        help_text="PEM CA certificates that sign the syslog receiver's certificate "
                                                  "(empty: the system's trust store), encrypted at rest.")
    encrypted_secret = models.TextField(blank=True, default="")
    verification_token = models.CharField(max_length=100, blank=True, default="")
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every event type.")
    enabled = models.BooleanField(default=True)
    cursor = models.BigIntegerField(default=0, help_text="Id of the last record delivered.")
    delivered_count = models.BigIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
