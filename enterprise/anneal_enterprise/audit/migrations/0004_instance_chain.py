"""Checkpoints get a per-organization sequence number and the previous checkpoint's hash;
instance heads chain every organization's newest checkpoint; the purge records its policy.

Existing checkpoints keep their version-1 signatures (``version`` 1) and are numbered in id
order; the append-only triggers are switched off for that one numbering statement, which
the migration (the tables' owner) may do. The new instance head table is append-only, and
the purge exception now covers only records and seals.
"""

import django.utils.timezone
from django.db import migrations, models


CHECKPOINTS = "anneal_audit_auditcheckpoint"
HEADS = "anneal_audit_auditinstancehead"

FUNCTION = """
CREATE OR REPLACE FUNCTION anneal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('anneal_audit_auditrecord', 'anneal_audit_auditseal')
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


def number_checkpoints(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE {CHECKPOINTS} DISABLE TRIGGER USER")
    schema_editor.execute(
        f"UPDATE {CHECKPOINTS} SET sequence = (SELECT COUNT(*) FROM {CHECKPOINTS} c "
        f"WHERE c.id <= {CHECKPOINTS}.id AND c.organization_id IS NOT DISTINCT FROM {CHECKPOINTS}.organization_id)"
        if postgres else
        f"UPDATE {CHECKPOINTS} SET sequence = (SELECT COUNT(*) FROM {CHECKPOINTS} c "
        f"WHERE c.id <= {CHECKPOINTS}.id AND c.organization_id IS {CHECKPOINTS}.organization_id)")
    if postgres:
        schema_editor.execute(f"ALTER TABLE {CHECKPOINTS} ENABLE TRIGGER USER")


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(f"CREATE TRIGGER {HEADS}_append_only BEFORE UPDATE OR DELETE ON {HEADS} "
                          "FOR EACH ROW EXECUTE FUNCTION anneal_audit_append_only()")
    schema_editor.execute(f"CREATE TRIGGER {HEADS}_no_truncate BEFORE TRUNCATE ON {HEADS} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION anneal_audit_append_only()")


def not_append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {HEADS}_append_only ON {HEADS}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {HEADS}_no_truncate ON {HEADS}")
    # 0002's function allowed the purge on every table but checkpoints; with heads gone that is the same.


class Migration(migrations.Migration):

    dependencies = [
        ('anneal_audit', '0003_destination_tls_ca_pem'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditInstanceHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.BigIntegerField(unique=True)),
                ('previous_hash', models.CharField(blank=True, default='', max_length=64)),
                ('changed', models.TextField(default='[]', help_text='Canonical JSON.')),
                ('state_hash', models.CharField(max_length=64)),
                ('sealed_through', models.BigIntegerField()),
                ('key_id', models.CharField(max_length=32)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('signature', models.CharField(max_length=200)),
            ],
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='cutoff',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='newest_purged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='previous_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='retention_days',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='sequence',
            field=models.BigIntegerField(default=0, help_text='1, 2, 3, … per organization.'),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='version',
            field=models.PositiveSmallIntegerField(default=1, help_text='Which fields the signature covers.'),
        ),
        migrations.AlterField(
            model_name='auditcheckpoint',
            name='version',
            field=models.PositiveSmallIntegerField(default=2, help_text='Which fields the signature covers.'),
        ),
        migrations.RunPython(number_checkpoints, migrations.RunPython.noop),
        migrations.RunPython(append_only, not_append_only),
        migrations.AddField(
            model_name='auditsealstate',
            name='head_sequence',
            field=models.BigIntegerField(default=0, help_text='Sequence number of the newest instance head.'),
        ),
        migrations.AddIndex(
            model_name='auditcheckpoint',
            index=models.Index(fields=['organization_id', 'sequence'], name='audit_checkpoint_org_seq'),
        ),
    ]
