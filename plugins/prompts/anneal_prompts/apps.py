from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "anneal_prompts"
    label = "anneal_prompts"
    verbose_name = "Prompts"
    default_auto_field = "django.db.models.BigAutoField"
