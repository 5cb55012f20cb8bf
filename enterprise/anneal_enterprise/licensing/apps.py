from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "anneal_enterprise.licensing"
    label = "anneal_licensing"
    verbose_name = "Anneal Enterprise licensing"
