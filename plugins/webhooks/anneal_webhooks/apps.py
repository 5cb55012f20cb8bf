from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "anneal_webhooks"
    label = "anneal_webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"
