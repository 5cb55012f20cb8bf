from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render

from core import access
from core.roles import Permission
from core.services.errors import ServiceError


def organization_view(permission: Permission = Permission.VIEW) -> Callable:
    """Resolve ``slug`` to ``request.organization`` with the role ``permission`` needs.

    Non-members get 404; members without the role get 403 with the reason.
    """

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                organization, role = access.get_organization(request.user, slug, Permission.VIEW)
                request.organization, request.role = organization, role
                access.require(request.user, organization, permission)
            except access.NotVisible:
                raise Http404("No such organization.") from None
            except access.NotAllowed as exc:
                return HttpResponseForbidden(render(request, "anneal/forbidden.html", {"reason": str(exc)}).content)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def report(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, error.message)
