"""The records' time filter reads a BRIN index on ``occurred_at`` instead of a B-tree.

Times rise with the id (a record is written as its event happens), so a block range summary
finds a time window as well as ``(organization_id, occurred_at)`` did for the queries that
used it (plans in docs/benchmarks.md, "Capture cost"), and an audited save maintains one
B-tree fewer. PostgreSQL only; SQLite keeps no time index.
"""

from django.db import migrations

TABLE = "anneal_audit_auditrecord"
BRIN = f"CREATE INDEX IF NOT EXISTS audit_time_brin ON {TABLE} USING brin (occurred_at) WITH (pages_per_range = 16)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BRIN)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_time_brin")


class Migration(migrations.Migration):
    dependencies = [("anneal_audit", "0005_event_id_not_indexed")]
    operations = [
        migrations.RemoveIndex(model_name="auditrecord", name="audit_org_time"),
        migrations.RunPython(forwards, backwards),
    ]
