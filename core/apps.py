from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Anneal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.plugins.manager import register_runtime_hooks

        register_runtime_hooks()
        from core import jobs, signals  # noqa: F401  (signals: sign-in events)

        jobs.discover_tasks()
        from core.api import strict

        strict.install()
