from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from core import health_views
from core.api.errors import api_not_found
from core.plugins import enablement, hooks
from core.web.views.api_docs import api_docs


def plugin_urls() -> list:
    """Each plugin's pages under /plugins/<name>/ and API routes under /api/v1/plugins/<name>/."""
    patterns = []
    for plugin, plugin_patterns in hooks.urlpatterns().items():
        plugin_patterns = enablement.guard_patterns(plugin, plugin_patterns)
        patterns.append(path(f"plugins/{plugin}/", include((plugin_patterns, plugin), namespace=plugin)))
    for plugin, plugin_patterns in hooks.api_urlpatterns().items():
        plugin_patterns = enablement.guard_patterns(plugin, plugin_patterns)
        patterns.append(path(f"api/v1/plugins/{plugin}/", include((plugin_patterns, f"api-{plugin}"), namespace=f"api-{plugin}")))
    return patterns


handler404 = "core.api.errors.not_found"

urlpatterns = [
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),  # the schema as an ordinary, accessible page
    *plugin_urls(),
    path("api/v1/", include("core.api.urls")),
    re_path(r"^api/", api_not_found, name="api-not-found"),
    path("admin/", admin.site.urls),
    path("", include("core.web.urls")),
]

handler500 = "core.api.errors.server_error"
