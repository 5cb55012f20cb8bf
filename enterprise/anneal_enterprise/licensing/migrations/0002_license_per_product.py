from django.db import migrations, models


class Migration(migrations.Migration):
    """Several licenses in force at once: one per product (Anneal Enterprise, each plugin vendor)."""

    dependencies = [
        ("anneal_licensing", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="licensekey",
            name="anneal_licensing_one_active_key",
        ),
        migrations.AddField(
            model_name="licensekey",
            name="product",
            field=models.CharField(default="anneal", help_text="The issuer's product id: anneal, or a plugin's name.",
                                   max_length=200),
        ),
        migrations.AddConstraint(
            model_name="licensekey",
            constraint=models.UniqueConstraint(condition=models.Q(("is_active", True)), fields=("product",),
                                               name="anneal_licensing_one_active_key_per_product"),
        ),
    ]
