from django.apps import AppConfig


class WebConfig(AppConfig):
    """The server-rendered UI: its templates, template tags and static files."""

    name = "core.web"
    label = "anneal_web"
    verbose_name = "Anneal web UI"
