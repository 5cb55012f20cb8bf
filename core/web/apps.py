from django.apps import AppConfig


class WebConfig(AppConfig):
    """The server-rendered UI: registered as an app so its templates, static files and tags load."""

    name = "core.web"
    label = "anneal_web"
    verbose_name = "Anneal web UI"
