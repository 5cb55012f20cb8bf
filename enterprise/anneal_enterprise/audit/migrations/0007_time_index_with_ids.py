"""The BRIN index of the records' times summarises their ids too: ``(occurred_at, id)``.

A time window is translated into an id range (``audit/window.py``); finding its exact ends
reads the block ranges holding both an old time and a newer id, which only a summary of both
columns can tell apart from the rest of the table. Same name, still 16 pages per range, still
serving the plain time filter. PostgreSQL only.
"""

from django.db import migrations

TABLE = "anneal_audit_auditrecord"


def _index(columns: str) -> str:
    return f"CREATE INDEX audit_time_brin ON {TABLE} USING brin ({columns}) WITH (pages_per_range = 16)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_time_brin")
        schema_editor.execute(_index("occurred_at, id"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_time_brin")
        schema_editor.execute(_index("occurred_at"))


class Migration(migrations.Migration):
    dependencies = [("anneal_audit", "0006_time_index_brin")]
    operations = [migrations.RunPython(forwards, backwards)]
