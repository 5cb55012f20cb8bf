"""What every organization page shares: resolving the organization and answering refusals."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render, resolve_url

from core import access
from core.roles import Permission
from core.services.errors import ServiceError


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    """A 403 page that says why, so a member knows whom to ask.

    To an htmx request it answers with the reason as a flash message only (``HX-Reswap: none``
    keeps the part of the page that asked untouched).
    """
    if is_htmx(request):
        messages.error(request, reason)
        response = render(request, "anneal/_messages_oob.html", {}, status=403)
        response["HX-Reswap"] = "none"
        return response
    return render(request, "anneal/forbidden.html", {"reason": reason}, status=403)


def htmx_redirect(url: str) -> HttpResponse:
    """Make htmx load ``url`` as a full page instead of swapping it into a fragment."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


def organization_view(permission: Permission = Permission.VIEW) -> Callable:
    """Decorate an organization page: resolve the URL's ``slug`` to ``request.organization`` and ``request.role``.

    The URL pattern must capture the organization's slug under the name ``slug`` (for example
    ``path("<slug:slug>/hello/", page)``). The decorator consumes it: the view is called with
    ``request`` and the pattern's other arguments only. A signed-out browser is sent to sign in
    (an htmx request too), a non-member gets 404 (they must not learn that the organization
    exists), and a member whose role is below ``permission`` gets the 403 page with the reason.
    The view may also check a higher permission itself with :func:`core.access.require`; the
    ``NotAllowed`` it raises becomes the same 403 page.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if is_htmx(request):  # the session ended while the page was open: come back to it
                    back = urlsplit(request.headers.get("HX-Current-URL", "")).path or request.path
                    return htmx_redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")
                return redirect_to_login(request.get_full_path())
            try:
                organization, role = access.get_organization(request.user, slug, Permission.VIEW)
            except access.NotVisible:
                raise Http404("No such organization, or you are not a member of it.") from None
            request.organization, request.role = organization, role
            if not access.allows_role(role, permission):
                return forbidden(request, str(access.NotAllowed(role, permission)))
            try:
                return view(request, *args, **kwargs)
            except access.NotAllowed as refusal:
                return forbidden(request, str(refusal))

        return wrapper

    return decorate


def object_or_404(model: type[Model] | QuerySet, **lookups: Any) -> Any:
    """``get_object_or_404`` for lookups taken from a form: an id of the wrong shape is a 404 too.

    Django's own raises ``ValueError`` (a 500) for ``pk="abc"`` or a non-UUID ``public_id``.
    """
    try:
        return get_object_or_404(model, **lookups)
    except (ValueError, TypeError, ValidationError):
        raise Http404("No such object.") from None


def require_role(request: HttpRequest, permission: Permission) -> HttpResponse | None:
    """A 403 response when the current role cannot do ``permission``, else ``None``."""
    if access.allows_role(request.role, permission):
        return None
    return forbidden(request, str(access.NotAllowed(request.role, permission)))


def can(request: HttpRequest, permission: Permission) -> bool:
    return access.allows_role(getattr(request, "role", None), permission)


def report(request: HttpRequest, error: ServiceError) -> None:
    """Show a ``ServiceError``'s message to the person as an error message on the next page."""
    messages.error(request, error.message)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
