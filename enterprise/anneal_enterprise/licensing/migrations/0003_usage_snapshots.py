from django.db import migrations, models


class Migration(migrations.Migration):
    """The instance key that signs usage reports, and the daily hash-chained usage snapshots."""

    dependencies = [
        ("anneal_licensing", "0002_license_per_product"),
    ]

    operations = [
        migrations.CreateModel(
            name="InstanceKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_id", models.CharField(max_length=64, unique=True)),
                ("public_key", models.TextField(help_text="The base64 of the 32 raw bytes of the public key.")),
                ("encrypted_private_key", models.TextField()),
                ("created_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="UsageSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveIntegerField(unique=True)),
                ("day", models.DateField(unique=True)),
                ("document", models.JSONField(help_text="The snapshot as reports carry it, hash included.")),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"ordering": ["sequence"]},
        ),
    ]
