from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "anneal_enterprise.licensing"
    label = "anneal_licensing"
    verbose_name = "Anneal Enterprise licensing"

    def ready(self) -> None:
        from anneal_enterprise.licensing import issuers, keyring, product_issuer, sources, status

        status.before_refresh(sources.sync_environment)
        keyring.add_issuer_source(product_issuer.product_issuers)
        keyring.add_issuer_source(issuers.plugin_issuers)
