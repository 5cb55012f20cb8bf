from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "anneal_webhooks"
    label = "anneal_webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anneal_webhooks import capture
        from anneal_webhooks.models import Endpoint

        post_save.connect(capture.endpoints_changed, sender=Endpoint, dispatch_uid="anneal_webhooks_endpoint_saved")
        post_delete.connect(capture.endpoints_changed, sender=Endpoint, dispatch_uid="anneal_webhooks_endpoint_deleted")
