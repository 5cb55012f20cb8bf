"""The enterprise package's entry point: an ordinary Anneal plugin with no back door.

This module is imported while settings load, so it imports nothing from Django models.
The hook modules listed in ``anneal_hooks`` are registered once apps are ready.
"""

from typing import Any

from core.plugins import hookimpl

anneal_requires = ">=0.1,<0.2"

anneal_hooks = [
    "anneal_enterprise.licensing.hooks",
    "anneal_enterprise.sso.hooks",
    "anneal_enterprise.support.hooks",
    "anneal_enterprise.audit.hooks",
]


@hookimpl
def anneal_django_apps() -> list[str]:
    return [
        "anneal_enterprise.licensing",
        "anneal_enterprise.sso",
        "anneal_enterprise.support",
        "anneal_enterprise.audit",
    ]


@hookimpl
def anneal_middleware() -> list[str]:
    return [
        "anneal_enterprise.support.middleware.SupportSessionMiddleware",
    ]


@hookimpl
def anneal_authentication_backends() -> list[str]:
    return ["anneal_enterprise.sso.backends.SsoBackend"]


@hookimpl
def anneal_settings_defaults() -> dict[str, Any]:
    return {
        # SAML responses arrive as a cross-site POST; the ACS view does not need the session
        # cookie (outstanding requests are kept in the database), so Lax stays safe here.
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The core's hostile-input guard answers SCIM clients in SCIM's error format.
        "ANNEAL_INPUT_REFUSAL_RESPONDERS": {
            "/api/v1/plugins/enterprise/sso/scim/": "anneal_enterprise.sso.input_refusal.scim_refusal",
        },
    }
