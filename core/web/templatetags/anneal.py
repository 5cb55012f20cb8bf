"""``{% slot "name" %}``, ``{% feature_unavailable "feature" %}``, ``{% settings_tabs org %}``, ``|when`` and ``|capped_count``.

Each plugin's fragment is rendered on its own: a plugin that raises is replaced by an error box
naming it, and the rest of the page renders.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.plugins import hooks
from core.times import when
from core.web.counting import shown

register = template.Library()
register.filter("when", when)
register.filter("capped_count", shown)


def error_box(plugin: str, error: BaseException) -> SafeString:
    return format_html(
        '<div class="plugin-error" role="alert" data-plugin="{}">The plugin <strong>{}</strong> failed to '
        "render this part of the page ({}). The rest of the page is unaffected; the details are in the "
        "server log.</div>",
        plugin, plugin, type(error).__name__,
    )


def render_slot(slot: str, request: Any, context: dict[str, Any]) -> SafeString:
    """Every plugin's fragment for ``slot``, each wrapped in its own box."""
    parts = []
    for contribution in hooks.template_slot(slot, request, context):
        if contribution.error is not None:
            parts.append(error_box(contribution.plugin, contribution.error))
            continue
        fragment = contribution.result
        if not isinstance(fragment, str):
            parts.append(error_box(contribution.plugin, TypeError(f"returned {type(fragment).__name__}")))
            continue
        if fragment:
            parts.append(format_html('<div class="slot" data-slot="{}" data-plugin="{}">{}</div>',
                                     slot, contribution.plugin, mark_safe(fragment)))
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str, **extra: Any) -> SafeString:
    """``{% slot "name" key=value %}``: every plugin's ``anneal_template_slot`` fragment for this slot.

    The template's context (plus ``key=value``) is passed to the hook; a plugin that raises gets an
    error box naming it instead of its fragment, and the page still renders.
    """
    flat = {**context.flatten(), **extra}
    return render_slot(name, context.get("request"), flat)


@register.simple_tag(takes_context=True)
def feature_unavailable(context: template.Context, feature: str) -> SafeString:
    """What to show where a disabled feature would be: a plugin's upgrade prompt, or a plain note."""
    rendered = render_slot("feature_unavailable", context.get("request"), {**context.flatten(), "feature": feature})
    if rendered:
        return rendered
    return format_html('<div class="feature-unavailable">The {} feature is not available in this edition.</div>',
                       feature.replace("_", " "))


@register.simple_tag(takes_context=True)
def settings_tabs(context: template.Context, organization: Any) -> SafeString:
    """The organization's settings sections from ``anneal_settings_sections``, the current one marked."""
    request = context.get("request")
    path = getattr(request, "path", "")
    sections = sorted(hooks.settings_sections(request, organization), key=lambda s: (s.order, s.label))
    tabs = format_html_join(
        "", '<a class="tab{}" href="{}"{} data-section="{}">{}</a>',
        ((" active" if s.url == path else "", s.url, mark_safe(' aria-current="page"') if s.url == path else "",
          s.id, s.label) for s in sections),
    )
    return format_html('<nav class="tabs settings-tabs" aria-label="Settings sections">{}</nav>', tabs)
