"""Make the audit tables append-only on PostgreSQL.

Triggers refuse UPDATE, DELETE and TRUNCATE of records, seals and checkpoints. The one
exception is the retention purge (:mod:`anneal_enterprise.audit.retention`), which deletes
whole sealed ranges of records and seals after ``SET LOCAL anneal.audit_purge = 'on'`` in its
own transaction. Checkpoints are never deleted.

A database owner can always disable triggers; that is why the log is also sealed and signed:
``anneal audit verify`` detects what a trigger could not stop.

``anneal.audit_test_database``: the test harness (``anneal_enterprise.audit.testing``) sets
it on the throwaway test database only, so that the test runner may TRUNCATE tables between
tests. It is never set in a deployment.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION anneal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME <> 'anneal_audit_auditcheckpoint'
       AND current_setting('anneal.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('anneal.audit_test_database', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit records are removed only by the retention purge (anneal audit purge).';
END
$$ LANGUAGE plpgsql;
"""

TABLES = ["anneal_audit_auditrecord", "anneal_audit_auditseal", "anneal_audit_auditcheckpoint"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION anneal_audit_append_only()")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION anneal_audit_append_only()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS anneal_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("anneal_audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
