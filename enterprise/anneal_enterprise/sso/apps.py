from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "anneal_enterprise.sso"
    label = "anneal_sso"
    verbose_name = "Anneal Enterprise single sign-on"
    default_auto_field = "django.db.models.BigAutoField"
