from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "anneal_enterprise.sso"
    label = "anneal_sso"
    verbose_name = "Anneal Enterprise single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anneal_enterprise.sso import policy
        from anneal_enterprise.sso.models import SsoSettings

        post_save.connect(policy.settings_changed, sender=SsoSettings, dispatch_uid="anneal_sso_enforcing_saved")
        post_delete.connect(policy.settings_changed, sender=SsoSettings, dispatch_uid="anneal_sso_enforcing_deleted")
