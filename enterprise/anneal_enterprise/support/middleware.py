"""Marks requests made in a support session: actor, grant, read-only scope, activity."""

from __future__ import annotations

from typing import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils import timezone

from anneal_enterprise.support import session
from anneal_enterprise.support.access import is_support_principal, support_actor
from anneal_enterprise.support.models import SupportGrant

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_USED_RESOLUTION = 60


class SupportSessionMiddleware:
    """Runs after the core's session policy (which already refused ended or idle grants)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # A support session is a signed-in browser session: without its cookie (API calls with
            # a token) there is none, and loading request.user would cost every such call.
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_support_principal(user):
            return self.get_response(request)
        grant = SupportGrant.objects.select_related("organization").filter(
            pk=session.grant_id(request), principal_id=user.pk).first()
        if grant is None:  # the policy hook refuses this; never act without a grant
            return HttpResponseForbidden("This support session has no grant.")
        request.support_grant = grant
        request.anneal_actor = support_actor(grant)
        if (grant.scope == SupportGrant.Scope.READ_ONLY and request.method not in SAFE_METHODS
                and request.path != reverse("web:sign_out")):
            return HttpResponseForbidden("This support access is read-only: it cannot change anything.")
        session.touch(request)
        now = timezone.now()
        if grant.last_used_at is None or (now - grant.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            SupportGrant.objects.filter(pk=grant.pk).update(last_used_at=now)
        return self.get_response(request)
