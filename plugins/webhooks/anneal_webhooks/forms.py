"""The endpoint form of the webhook pages, rendered by the core's form component (``{{ form }}``).

"Events to send" is a checkbox group of every subscribable event type (some seventy), one titled group per
category laid out in columns. The form only reads what was typed; the services say what is wrong with it.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from core.plugins.web import GroupedCheckboxSelectMultiple

from anneal_webhooks import services
from anneal_webhooks.models import Endpoint

EVERY_EVENT = "*"


def event_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(category, [(name, label), ...]), ...]``, categories and names in order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for event_type in services.subscribable_event_types().values():
        label = format_html('<code title="{}">{}</code>', event_type.description, event_type.name)
        groups.setdefault(event_type.category, []).append((event_type.name, label))
    return sorted(groups.items())


class EndpointForm(forms.Form):
    url = forms.CharField(label="URL", max_length=2000, widget=forms.URLInput(attrs={
        "placeholder": "https://example.com/anneal-webhooks", "size": 60}))
    description = forms.CharField(required=False, max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    all_events = forms.BooleanField(label="Send every event, including types added later", required=False)
    event_types = forms.MultipleChoiceField(
        label="Events to send", required=False, widget=GroupedCheckboxSelectMultiple,
        help_text="Or choose the events to send, by what they concern.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = event_type_choices()

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointForm:
        """The form filled in with ``endpoint``'s settings."""
        return cls(initial={"url": endpoint.url, "description": endpoint.description,
                            "all_events": EVERY_EVENT in endpoint.event_types,
                            "event_types": [name for name in endpoint.event_types if name != EVERY_EVENT]})

    def chosen_event_types(self) -> list[str]:
        return [EVERY_EVENT] if self.cleaned_data["all_events"] else self.cleaned_data["event_types"]
