"""Web pages (under /plugins/enterprise/) and API routes (under /api/v1/plugins/enterprise/)."""

from __future__ import annotations

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from anneal_enterprise.sso import api, mfa_policy_views, settings_views, views
from anneal_enterprise.sso.scim import discovery, groups, users

web_urlpatterns = [
    path("sso/", views.sso_sign_in, name="sso_sign_in"),
    path("sso/oidc/<uuid:public_id>/start/", views.oidc_start, name="sso_oidc_start"),
    path("sso/oidc/<uuid:public_id>/callback/", views.oidc_callback, name="sso_oidc_callback"),
    path("sso/o/<slug:slug>/settings/", settings_views.sso_settings, name="sso_settings"),
    path("mfa/o/<slug:slug>/settings/", mfa_policy_views.mfa_policy_settings, name="mfa_policy"),
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

SCIM = r"^sso/scim/v2"
api_urlpatterns = [
    re_path(rf"{SCIM}/?$", discovery.not_found, name="scim_root"),
    re_path(rf"{SCIM}/ServiceProviderConfig/?$", discovery.service_provider_config, name="scim_service_provider_config"),
    re_path(rf"{SCIM}/ResourceTypes/?$", discovery.resource_types, name="scim_resource_types"),
    re_path(rf"{SCIM}/ResourceTypes/(?P<resource_id>[^/]+)/?$", discovery.resource_type, name="scim_resource_type"),
    re_path(rf"{SCIM}/Schemas/?$", discovery.schemas, name="scim_schemas"),
    re_path(rf"{SCIM}/Schemas/(?P<resource_id>[^/]+)/?$", discovery.schema_detail, name="scim_schema"),
    re_path(rf"{SCIM}/\.search/?$", discovery.root_search, name="scim_search"),
    re_path(rf"{SCIM}/Users/?$", users.users, name="scim_users"),
    re_path(rf"{SCIM}/Users/\.search/?$", users.search, name="scim_users_search"),
    re_path(rf"{SCIM}/Users/(?P<resource_id>[^/]+)/?$", users.user, name="scim_user"),
    re_path(rf"{SCIM}/Groups/?$", groups.groups, name="scim_groups"),
    re_path(rf"{SCIM}/Groups/\.search/?$", groups.search, name="scim_groups_search"),
    re_path(rf"{SCIM}/Groups/(?P<resource_id>[^/]+)/?$", groups.group, name="scim_group"),
    re_path(rf"{SCIM}/(?P<rest>.*)$", discovery.not_found, name="scim_unknown"),
    path("sso/organizations/<slug:organization_slug>/", include(router.urls)),
]
