"""Every action of the web UI has an API operation: each web route is mapped to the operations that
do what its forms do, or is listed as browser-only with the reason. A new page fails this test
until it is classified, and a mapping to an operation the schema lacks fails it too."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.testing.contract import openapi

ORG = "/api/v1/organizations/{organization_slug}"
ENT = "/api/v1/plugins/enterprise"
AUDIT = f"{ENT}/audit/organizations/{{slug}}"
SSO = f"{ENT}/sso/organizations/{{organization_slug}}"
SUPPORT = f"{ENT}/support"
PROMPT = "/api/v1/plugins/prompts/organizations/{organization_slug}/projects/{project_slug}/prompts/{prompt_slug}"
HOOKS = "/api/v1/plugins/webhooks/organizations/{organization_slug}/endpoints"

PARITY = {
    "web:organizations": ["GET /api/v1/organizations/", "POST /api/v1/organizations/"],
    "web:profile": ["GET /api/v1/me/", "PATCH /api/v1/me/"],
    "web:tokens": ["GET /api/v1/tokens/", "POST /api/v1/tokens/"],
    "web:revoke_token": ["DELETE /api/v1/tokens/{id}/"],
    "web:system": ["GET /api/v1/plugins/"],
    "web:egress_ledger": ["GET /api/v1/system/egress/"],
    "web:plugin_availability": ["GET /api/v1/system/plugins/{name}/availability/",
                                "PUT /api/v1/system/plugins/{name}/availability/"],
    "web:plugin_settings": ["GET /api/v1/system/plugins/{name}/settings/",
                            "PATCH /api/v1/system/plugins/{name}/settings/"],
    "web:organization_plugin_settings": ["GET /api/v1/organizations/{organization_slug}/plugins/{name}/settings/",
                                         "PATCH /api/v1/organizations/{organization_slug}/plugins/{name}/settings/"],
    "web:organization_plugins": ["GET /api/v1/organizations/{organization_slug}/plugins/",
                                 "PUT /api/v1/organizations/{organization_slug}/plugins/{name}/"],
    "web:accept_invitation": ["POST /api/v1/invitations/accept/"],
    "web:organization": ["GET /api/v1/organizations/{slug}/", f"GET {ORG}/projects/", f"POST {ORG}/projects/"],
    "web:organization_settings": ["PATCH /api/v1/organizations/{slug}/", "DELETE /api/v1/organizations/{slug}/"],
    "web:members": [f"GET {ORG}/members/", f"POST {ORG}/members/", f"GET {ORG}/invitations/",
                    f"POST {ORG}/invitations/"],
    "web:member_role": [f"PATCH {ORG}/members/{{id}}/"],
    "web:member_remove": [f"DELETE {ORG}/members/{{id}}/"],
    "web:invitation_revoke": [f"DELETE {ORG}/invitations/{{id}}/"],
    "web:project": [f"GET {ORG}/projects/{{slug}}/", f"PATCH {ORG}/projects/{{slug}}/",
                    f"DELETE {ORG}/projects/{{slug}}/"],
    "webhooks:endpoints": [f"GET {HOOKS}/", f"POST {HOOKS}/", "GET /api/v1/plugins/webhooks/event-types/"],
    "webhooks:endpoint": [f"GET {HOOKS}/{{id}}/", f"PATCH {HOOKS}/{{id}}/", f"DELETE {HOOKS}/{{id}}/",
                          f"POST {HOOKS}/{{id}}/rotate-secret/", f"GET {HOOKS}/{{endpoint_pk}}/deliveries/",
                          f"POST {HOOKS}/{{endpoint_pk}}/deliveries/{{id}}/redeliver/"],
    "prompts:index": ["GET /api/v1/plugins/prompts/organizations/{organization_slug}/prompts/"],
    "prompts:project": [f"GET {PROMPT.rsplit('/', 1)[0]}/", f"POST {PROMPT.rsplit('/', 1)[0]}/"],
    "prompts:prompt": [f"GET {PROMPT}/", f"PATCH {PROMPT}/", f"DELETE {PROMPT}/", f"POST {PROMPT}/rollback/",
                       f"GET {PROMPT}/versions/"],
    "prompts:version": [f"GET {PROMPT}/versions/{{number}}/"],
    "prompts:diff": [f"GET {PROMPT}/diff/"],
    "enterprise:audit-records": [f"GET {AUDIT}/records"],
    "enterprise:audit-verify": [f"POST {AUDIT}/verify"],
    "enterprise:audit-export": [f"POST {AUDIT}/exports"],
    "enterprise:audit-export-status": [f"GET {AUDIT}/exports/{{export_id}}"],
    "enterprise:audit-export-download": [f"GET {AUDIT}/exports/{{export_id}}/file"],
    "enterprise:audit-destinations": [f"GET {AUDIT}/destinations", f"POST {AUDIT}/destinations",
                                      f"DELETE {AUDIT}/destinations/{{destination_id}}"],
    "enterprise:audit-retention": [f"GET {AUDIT}/retention", f"PUT {AUDIT}/retention"],
    "enterprise:audit-integrity": [f"GET {ENT}/audit/records", f"POST {AUDIT}/verify"],
    "enterprise:audit-instance": [f"GET {ENT}/audit/records"],  # ?organization=instance
    "enterprise:support-bundles": [f"GET {SUPPORT}/bundles/", f"POST {SUPPORT}/bundles/",
                                   f"GET {SUPPORT}/collectors/"],
    "enterprise:support-bundle": [f"GET {SUPPORT}/bundles/{{bundle_id}}/", f"GET {SUPPORT}/bundles/{{bundle_id}}/preview/"],
    "enterprise:support-bundle-status": [f"GET {SUPPORT}/bundles/{{bundle_id}}/"],
    "enterprise:support-bundle-download": [f"GET {SUPPORT}/bundles/{{bundle_id}}/download/"],
    "enterprise:support-bundle-delete": [f"DELETE {SUPPORT}/bundles/{{bundle_id}}/"],
    "enterprise:support-access": [f"GET {SUPPORT}/organizations/{{slug}}/grants/",
                                  f"POST {SUPPORT}/organizations/{{slug}}/grants/",
                                  f"POST {SUPPORT}/organizations/{{slug}}/grants/{{grant_id}}/extend/",
                                  f"POST {SUPPORT}/organizations/{{slug}}/grants/{{grant_id}}/revoke/"],
    "enterprise:sso_settings": [f"GET {SSO}/providers/", f"POST {SSO}/providers/", f"PATCH {SSO}/providers/{{public_id}}/",
                                f"DELETE {SSO}/providers/{{public_id}}/", f"GET {SSO}/policy/", f"POST {SSO}/policy/",
                                f"GET {SSO}/domains/", f"POST {SSO}/domains/", f"POST {SSO}/domains/{{id}}/verify/",
                                f"DELETE {SSO}/domains/{{id}}/"],
    "enterprise:license": [f"GET {ENT}/license/", f"PUT {ENT}/license/", f"DELETE {ENT}/license/",
                           f"POST {ENT}/license/preview/"],
    "enterprise:license-usage-report": [f"POST {ENT}/license/usage-report/"],
    "enterprise:license-trial": [f"GET {ENT}/license/trial/", f"POST {ENT}/license/trial/"],
    "web:organization_usage": [f"GET {ORG}/usage/"],
    "web:organization_usage_csv": [f"GET {ORG}/usage/"],
}

BROWSER_ONLY = {
    "healthz": "a probe for load balancers, not an action",
    "readyz": "a probe for load balancers, not an action",
    "web:sign_in": "the API authenticates with tokens, not passwords",
    "web:sign_out": "ends a browser session; tokens are revoked with DELETE /api/v1/tokens/{id}/",
    "web:password_change": "a password is a browser credential; the API never takes one",
    "web:password_reset": "a password is a browser credential; the API never takes one",
    "web:password_reset_done": "a password is a browser credential; the API never takes one",
    "web:password_reset_confirm": "a password is a browser credential; the API never takes one",
    "enterprise:support-redeem": "a support engineer opens the grant's one-time link in a browser",
    "enterprise:sso_sign_in": "browser SSO sign-in",
    "enterprise:sso_oidc_start": "browser SSO sign-in",
    "enterprise:sso_oidc_callback": "the identity provider redirects the browser here",
    "enterprise:sso_saml_start": "browser SSO sign-in",
    "enterprise:sso_saml_acs": "the identity provider posts the browser here",
    "enterprise:sso_saml_metadata": "an XML document for the identity provider, not an action",
    "web:sign_in_verify": "the second step of a browser sign-in; the API authenticates with tokens",
    "web:step_up": "confirms a browser session with its second factor; tokens are not asked",
    "web:passkey_sign_in_options": "browser passkey sign-in (WebAuthn runs in the browser)",
    "web:passkey_sign_in": "browser passkey sign-in (WebAuthn runs in the browser)",
    "web:change_email": "the sign-in email is a browser credential, changed after a step-up; read-only in GET /api/v1/me/",
    "web:security": "second factors are browser credentials, like the password",
    "web:totp_setup": "second factors are browser credentials, like the password",
    "web:totp_remove": "second factors are browser credentials, like the password",
    "web:passkey_options": "WebAuthn registration runs in the browser",
    "web:passkey_register": "WebAuthn registration runs in the browser",
    "web:passkey_remove": "second factors are browser credentials, like the password",
    "web:recovery_codes": "recovery codes are shown once, in the browser that made them",
    "web:organization_mfa": "not in the API yet (docs/authentication.md): the requirement and who enrolled",
    "web:member_mfa_reset": "a reset asks for the owner's own step-up, in the browser",
    "web:staff_mfa_reset": "a reset asks for the staff member's own step-up, in the browser",
    "enterprise:mfa_policy": "not in the API yet (docs/enterprise/sso.md#mfa)",
    "api-not-found": "the API's own 404",
    "schema": "the API's OpenAPI schema itself",
    "api-docs": "the schema rendered as a page",
}


def web_routes(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("api/", "admin/")):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from web_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_web_page_is_mapped_to_api_operations_or_says_why_it_is_browser_only():
    unclassified = sorted(set(web_routes()) - set(PARITY) - set(BROWSER_ONLY))
    assert unclassified == []


@pytest.mark.parametrize("page", sorted(PARITY))
def test_the_operations_a_page_maps_to_exist_in_the_schema(page):
    paths = openapi().spec / "paths"
    missing = []
    for operation in PARITY[page]:
        method, path = operation.split(" ", 1)
        if path not in paths.keys() or method.lower() not in (paths / path).keys():
            missing.append(operation)
    assert missing == []
