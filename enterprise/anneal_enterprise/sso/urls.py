"""Web pages (under /plugins/enterprise/) and API routes (under /api/v1/plugins/enterprise/)."""

from __future__ import annotations

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from anneal_enterprise.sso import api, scim, settings_views, views

web_urlpatterns = [
    path("sso/", views.sso_sign_in, name="sso_sign_in"),
    path("sso/oidc/<uuid:public_id>/start/", views.oidc_start, name="sso_oidc_start"),
    path("sso/oidc/<uuid:public_id>/callback/", views.oidc_callback, name="sso_oidc_callback"),
    path("sso/o/<slug:slug>/settings/", settings_views.sso_settings, name="sso_settings"),
]

try:  # SAML needs python3-saml's xmlsec binding
    from anneal_enterprise.sso import saml_views

    web_urlpatterns += [
        path("sso/saml/<uuid:public_id>/start/", saml_views.saml_start, name="sso_saml_start"),
        path("sso/saml/<uuid:public_id>/acs/", saml_views.saml_acs, name="sso_saml_acs"),
        path("sso/saml/<uuid:public_id>/metadata/", saml_views.saml_metadata, name="sso_saml_metadata"),
    ]
except ImportError:  # pragma: no cover
    pass

router = SimpleRouter()
router.register("providers", api.IdentityProviderViewSet, basename="sso-provider")
router.register("policy", api.SsoPolicyViewSet, basename="sso-policy")
router.register("domains", api.DomainViewSet, basename="sso-domain")

api_urlpatterns = [
    path("sso/scim/v2/", scim.root, name="scim_root"),
    path("sso/scim/v2/ServiceProviderConfig", scim.service_provider_config, name="scim_service_provider_config"),
    path("sso/scim/v2/ResourceTypes", scim.resource_types, name="scim_resource_types"),
    path("sso/scim/v2/Schemas", scim.schemas, name="scim_schemas"),
    path("sso/scim/v2/Users", scim.users, name="scim_users"),
    path("sso/scim/v2/Groups", scim.groups, name="scim_groups"),
    re_path(r"^sso/scim/v2/(?P<kind>Users|Groups)/(?P<resource_id>[^/]+)$", scim.resource, name="scim_resource"),
    path("sso/organizations/<slug:organization_slug>/", include(router.urls)),
]
