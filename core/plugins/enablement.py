"""Which organizations a plugin is on for, enforced by the core on every surface of the plugin.

By default a plugin is on for every organization. Instance staff can restrict it to the
organizations enabled (optionally letting organization owners enable it themselves). For an
organization it is off for, the core leaves the plugin out of that organization's navigation
and settings tabs, template slots and events (in-transaction and after commit), answers 404 on
its pages and API routes for that organization (found from the URL's ``slug`` or
``organization_slug``), and runs its per-organization periodic tasks
(``PeriodicTask(per_organization=True)``) only for the organizations it is on for. A plugin
does not have to check any of this itself.

The rules are read from the database once and kept per process (``core.shared_cache``); a
change writes a new version stamp that every process looks at no more than once a second, so a
change made in one process is enforced by the others within a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.shared_cache import SharedCache



@dataclass(frozen=True)
class Rules:
    """Plugins in ``selected`` mode, each with the ids of the organizations it is on for."""

    selected: dict[str, frozenset[int]] = field(default_factory=dict)
    owners_may_enable: frozenset[str] = frozenset()

    def allows(self, plugin: str, organization_id: int | None) -> bool:
        enabled = self.selected.get(plugin)
        return enabled is None or organization_id is None or organization_id in enabled

    def off_for(self, organization_id: int | None) -> frozenset[str]:
        if organization_id is None:
            return frozenset()
        return frozenset(plugin for plugin, enabled in self.selected.items() if organization_id not in enabled)


def _load() -> Rules:
    from core.models import PluginAvailability, PluginOrganization

    restricted = {a.plugin: a for a in PluginAvailability.objects.filter(mode=PluginAvailability.SELECTED_ORGANIZATIONS)}
    enabled: dict[str, set[int]] = {plugin: set() for plugin in restricted}
    for plugin, organization_id in PluginOrganization.objects.filter(plugin__in=restricted).values_list(
            "plugin", "organization_id"):
        enabled[plugin].add(organization_id)
    return Rules({plugin: frozenset(ids) for plugin, ids in enabled.items()},
                 frozenset(plugin for plugin, a in restricted.items() if a.owners_may_enable))


_rules = SharedCache("plugin-availability", _load)


def rules() -> Rules:
    """The rules in force in this process (reloaded within a second of a change in any process)."""
    return _rules.get()


def changed() -> None:
    """Call inside the transaction that changes availability (``core.services.plugin_availability``)."""
    _rules.changed()


def forget() -> None:
    """Drop this process's copy of the rules (tests)."""
    _rules.forget()


def is_on(plugin: str, organization: Any) -> bool:
    """Whether ``plugin`` is on for ``organization`` (an ``Organization``, its id, or ``None``)."""
    return rules().allows(plugin, getattr(organization, "pk", organization))


def off_for(organization: Any) -> frozenset[str]:
    """The plugins that are off for ``organization``: the core skips their hooks for it."""
    organization_id = getattr(organization, "pk", organization)
    if not isinstance(organization_id, int) or not rules().selected:
        return frozenset()
    return rules().off_for(organization_id)


def organization_of_url(kwargs: dict[str, Any]) -> Any:
    """The organization a plugin route is about, from its ``slug`` or ``organization_slug`` argument."""
    slug = kwargs.get("slug", kwargs.get("organization_slug"))
    if not isinstance(slug, str):
        return None
    from core.models import Organization

    return Organization.objects.filter(slug=slug).values_list("pk", flat=True).first()


def guard_view(plugin: str, view: Any) -> Any:
    """``view`` answering 404 for an organization that ``plugin`` is off for."""
    from functools import wraps

    from django.http import Http404

    @wraps(view)
    def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
        if plugin in rules().selected:
            organization_id = organization_of_url(kwargs)
            if organization_id is not None and not rules().allows(plugin, organization_id):
                raise Http404(f"The {plugin} plugin is not enabled for this organization.")
        return view(request, *args, **kwargs)

    return guarded


def guard_patterns(plugin: str, patterns: list[Any]) -> list[Any]:
    """Wrap every view under ``patterns`` (recursively) with :func:`guard_view`."""
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if getattr(pattern.callback, "anneal_guarded_for", None) != plugin:
                pattern.callback = guard_view(plugin, pattern.callback)
                pattern.callback.anneal_guarded_for = plugin
        elif isinstance(pattern, URLResolver):
            guard_patterns(plugin, pattern.url_patterns)
    return patterns
