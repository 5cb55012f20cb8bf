"""Helpers for plugins' web pages, so they behave like the core's own pages.

Import this from a runtime hook module or a views module (never from the entry-point module:
it needs Django's apps to be ready).

    from core.plugins.web import organization_view
    from core.roles import Permission

    @organization_view(Permission.MANAGE)
    def settings_page(request):          # request.organization and request.role are set
        ...

    urlpatterns = [path("<slug:slug>/settings/", settings_page)]   # the slug is named ``slug``

The decorator consumes the URL's ``slug``: the view receives ``request`` and the pattern's
other arguments. A non-member gets 404 (they must not learn that the organization exists), a
member whose role is too low gets the core's 403 page with the reason (also when the view
raises ``core.access.NotAllowed`` itself), and a signed-out browser is sent to sign in.
``object_or_404`` looks up a row from an id in a URL or form (an id of the wrong shape is a 404,
not a 500); ``forbidden`` answers a 403 page with a reason; ``require_role`` returns that answer
when ``request.role`` is below a permission; ``report`` shows a ``ServiceError`` as a message.
Templates extend ``anneal/base.html`` (or ``anneal/settings_base.html`` for a settings tab);
``request.organization`` makes the organization's navigation appear.

A list that grows without bound pages with ``keyset_page(request, queryset, key)`` (a ``Page``:
its rows, and links to the next and previous pages; no count, no offset, so every page costs the
same at any size) and ``{% include "anneal/_pager.html" with page=... %}`` under the table.

Forms are Django forms rendered with ``{{ form }}`` through the core's form component (labels, help, errors,
checkbox and radio groups). ``refuse(form, message, field)`` shows a service's refusal by its field (or above the
form) so the page re-renders with what was typed; ``GroupedCheckboxSelectMultiple`` lays out many checkboxes in
columns, one titled group per ``(group, [(value, label), ...])`` choice.
"""

from core.web.forms import GroupedCheckboxSelectMultiple, refuse
from core.web.paging import Page, keyset_page
from core.web.views.common import forbidden, object_or_404, organization_view, report, require_role

__all__ = ["GroupedCheckboxSelectMultiple", "Page", "forbidden", "keyset_page", "object_or_404", "organization_view",
           "refuse", "report", "require_role"]
