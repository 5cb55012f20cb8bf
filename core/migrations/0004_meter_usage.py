import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Metered usage per organization, meter and day (core.metering)."""

    dependencies = [
        ("core", "0003_plugin_availability_and_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeterUsage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("meter", models.CharField(max_length=200)),
                ("day", models.DateField()),
                ("quantity", models.BigIntegerField(default=0)),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="meter_usage", to="core.organization")),
            ],
            options={
                "ordering": ["day", "meter"],
                "indexes": [models.Index(fields=["meter", "day"], name="core_meter_usage_meter_day")],
                "constraints": [models.UniqueConstraint(fields=("organization", "meter", "day"),
                                                        name="core_meter_usage_one_row_per_day")],
            },
        ),
    ]
