"""Domains become verified by a DNS TXT record; every existing (declared) domain starts pending with its own token."""

import secrets

from django.db import migrations, models

import anneal_enterprise.sso.models


def give_tokens(apps, schema_editor):
    VerifiedDomain = apps.get_model("anneal_sso", "VerifiedDomain")
    for domain in VerifiedDomain.objects.all():
        domain.token = secrets.token_urlsafe(24)
        domain.save(update_fields=["token"])


class Migration(migrations.Migration):

    dependencies = [
        ("anneal_sso", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="verifieddomain",
            name="token",
            field=models.CharField(default=anneal_enterprise.sso.models.new_verification_token, max_length=64),
        ),
        migrations.AddField(
            model_name="verifieddomain",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verifieddomain",
            name="last_checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verifieddomain",
            name="last_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
    ]
