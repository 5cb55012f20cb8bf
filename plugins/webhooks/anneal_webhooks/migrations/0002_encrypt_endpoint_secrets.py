"""Endpoint signing secrets were stored in plain text: encrypt them with core.secrets (reversible)."""

from django.db import migrations, models

import anneal_webhooks.models
import core.secrets

PURPOSE = "anneal_webhooks.endpoint-secret"


def encrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("anneal_webhooks", "Endpoint")
    for pk, secret in Endpoint.objects.values_list("pk", "secret"):
        Endpoint.objects.filter(pk=pk).update(secret=core.secrets.encrypt(secret, purpose=PURPOSE))


def decrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("anneal_webhooks", "Endpoint")
    for pk, token in Endpoint.objects.values_list("pk", "secret"):
        Endpoint.objects.filter(pk=pk).update(secret=core.secrets.decrypt(token, purpose=PURPOSE))


class Migration(migrations.Migration):

    dependencies = [
        ("anneal_webhooks", "0001_initial"),
    ]

    operations = [
        # A token is longer than the 100 characters the plain secret column allowed.
        migrations.AlterField(
            model_name="endpoint",
            name="secret",
            field=models.TextField(default=anneal_webhooks.models.new_secret),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.AlterField(
            model_name="endpoint",
            name="secret",
            field=core.secrets.EncryptedTextField(
                default=anneal_webhooks.models.new_secret, purpose=PURPOSE,
                help_text="Signs each delivery (HMAC-SHA256); stored encrypted (core.secrets)."),
        ),
    ]
