from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "anneal_enterprise.support"
    label = "anneal_support"
    verbose_name = "Anneal Enterprise support"
    default_auto_field = "django.db.models.BigAutoField"
