"""The core's hostile-input guard answers under the SCIM base with a SCIM error (RFC 7644 §3.12).

Registered through the setting ``ANNEAL_INPUT_REFUSAL_RESPONDERS`` (``anneal_enterprise.plugin``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.input_guard import InputRefused

SCIM_BASE = "/api/v1/plugins/enterprise/sso/scim/"


def scim_refusal(request: HttpRequest, refusal: InputRefused, status: int) -> HttpResponse:
    from anneal_enterprise.sso.scim.errors import scim_error_response

    return scim_error_response(status, refusal.message, "invalidSyntax" if status == 400 else None)
