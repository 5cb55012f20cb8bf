"""Syslog destinations take their CA as PEM text, stored encrypted, instead of a server path.

A path chosen by an organization admin let them probe the server's files (``/etc/passwd`` was
"accepted"). Existing destinations are carried over once, here: a path that holds PEM
certificates (and only then) becomes the stored CA, read by the instance's own upgrade, so the
stream keeps working. Anything else (missing file, unreadable, not certificates) is dropped and
the destination is paused with a message asking to paste the CA; its cursor is kept, so it
catches up once re-enabled. Going back restores an empty path column.
"""

import ssl

from django.db import migrations, models

PURPOSE = "anneal_enterprise.audit"
MAX_CA_BYTES = 1024 * 1024
PAUSED = ("Paused by the upgrade: a CA certificate is now pasted as PEM text instead of a file path on the server, "
          "and the old path did not hold PEM certificates. Add the destination again with its CA certificate.")


def _read_ca(path):
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_CA_BYTES + 1).decode("ascii")
        if len(text) > MAX_CA_BYTES or "-----BEGIN CERTIFICATE-----" not in text:
            return ""
        ssl.create_default_context(cadata=text)
        return text
    except (OSError, UnicodeError, ValueError, ssl.SSLError):
        return ""


def carry_over(apps, schema_editor):
    from core import secrets

    destination_model = apps.get_model("anneal_audit", "AuditDestination")
    for destination in destination_model.objects.exclude(tls_ca_file=""):
        pem = _read_ca(destination.tls_ca_file)
        if pem:
            destination.tls_ca_encrypted = secrets.encrypt(pem, purpose=PURPOSE)
        else:
            destination.enabled = False
            destination.last_error = PAUSED
        destination.save(update_fields=["tls_ca_encrypted", "enabled", "last_error"])


class Migration(migrations.Migration):

    dependencies = [
        ("anneal_audit", "0002_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditdestination",
            name="tls_ca_encrypted",
            field=models.TextField(blank=True, default="", help_text="PEM CA certificates that sign the syslog receiver's certificate (empty: the system's trust store), encrypted at rest."),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="auditdestination",
            name="tls_ca_file",
        ),
    ]
