"""``{% slot "name" %}`` and ``{% feature_unavailable "feature" %}``: plugin fragments in isolation."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.plugins import hooks

register = template.Library()


def render_slot(slot: str, request: Any, context: dict[str, Any]) -> SafeString:
    parts = []
    for contribution in hooks.template_slot(slot, request, context):
        if contribution.error is not None:
            parts.append(format_html(
                '<div class="plugin-error" role="alert">The plugin <strong>{}</strong> failed to render '
                "this part of the page ({}). The rest of the page is unaffected.</div>",
                contribution.plugin, type(contribution.error).__name__,
            ))
        else:
            parts.append(format_html('<div class="slot" data-plugin="{}">{}</div>',
                                     contribution.plugin, mark_safe(contribution.result)))
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str, **extra: Any) -> SafeString:
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
    request = context.get("request")
    sections = sorted(hooks.settings_sections(request, organization), key=lambda s: (s.order, s.label))
    return format_html_join("", '<a class="tab" href="{}">{}</a>', ((s.url, s.label) for s in sections))
