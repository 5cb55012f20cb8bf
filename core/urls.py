from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import health_views
from core.plugins import hooks


def plugin_urls() -> list:
    """Each plugin's pages under /plugins/<name>/ and API routes under /api/v1/plugins/<name>/."""
    patterns = []
    for plugin, flat in hooks.urlpatterns().items():
        patterns.append(path(f"plugins/{plugin}/", include((flat, plugin), namespace=plugin)))
    for plugin, flat in hooks.api_urlpatterns().items():
        patterns.append(path(f"api/v1/plugins/{plugin}/", include((flat, f"api-{plugin}"), namespace=f"api-{plugin}")))
    return patterns


urlpatterns = [
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    *plugin_urls(),
    path("api/v1/", include("core.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.web.urls")),
]
