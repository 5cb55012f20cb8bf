from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "anneal_enterprise.audit"
    label = "anneal_audit"
    verbose_name = "Anneal Enterprise audit log"
    default_auto_field = "django.db.models.BigAutoField"
