from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from core.api import plugin_views, usage, views

router = DefaultRouter()
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("invitations/accept", views.AcceptInvitationView, basename="accept-invitation")

scoped = SimpleRouter()
scoped.register("projects", views.ProjectViewSet, basename="project")
scoped.register("members", views.MembershipViewSet, basename="member")
scoped.register("invitations", views.InvitationViewSet, basename="invitation")

app_name = "api"
urlpatterns = [
    path("plugins/", views.plugins_view, name="plugins"),
    path("system/egress/", views.egress_view, name="egress"),
    path("system/plugins/<str:name>/availability/", plugin_views.plugin_availability_view,
         name="plugin-availability"),
    path("organizations/<slug:organization_slug>/plugins/", plugin_views.organization_plugins_view,
         name="organization-plugins"),
    path("organizations/<slug:organization_slug>/plugins/<str:name>/", plugin_views.OrganizationPluginView.as_view(),
         name="organization-plugin"),
    path("system/plugins/<str:name>/settings/", plugin_views.InstancePluginSettingsView.as_view(),
         name="plugin-settings"),
    path("organizations/<slug:organization_slug>/plugins/<str:name>/settings/",
         plugin_views.OrganizationPluginSettingsView.as_view(), name="organization-plugin-settings"),
    path("me/", views.MeView.as_view({"get": "list", "patch": "partial_update"}), name="me-list"),
    path("organizations/<slug:organization_slug>/usage/", usage.UsageView.as_view(), name="organization-usage"),
    path("organizations/<slug:organization_slug>/", include(scoped.urls)),
    path("", include(router.urls)),
]
