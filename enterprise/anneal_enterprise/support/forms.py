"""The support pages' forms (grant access, build a bundle, redeem a link), rendered through the
form component. The views still call the support services; a refusal is shown by its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from anneal_enterprise.forms import Checkbox
from anneal_enterprise.support import collectors
from anneal_enterprise.support.models import SupportGrant

ENGINEER_HINT = "Lowercase letters, digits, dots, dashes or underscores, for example jane.doe."
SCOPE_LABELS = {SupportGrant.Scope.READ_ONLY: "Read-only: can look, cannot change anything",
                SupportGrant.Scope.READ_WRITE: "Read-write: can change settings and data like an admin"}


class GrantForm(forms.Form):
    reason = forms.CharField(label="Reason or ticket", max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": "Ticket 4711: exports fail"}))
    ticket = forms.CharField(label="Ticket id", required=False, max_length=100)
    scope = forms.ChoiceField(choices=[(value, SCOPE_LABELS[value]) for value in SupportGrant.Scope.values],
                              initial=SupportGrant.Scope.READ_ONLY)
    hours = forms.CharField(label="Hours", max_length=10,
                            widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}))

    def __init__(self, *args: Any, default_hours: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].initial = f"{default_hours:g}"


class RedeemForm(forms.Form):
    engineer = forms.CharField(
        label="Your name", help_text=ENGINEER_HINT,
        error_messages={"required": "Enter your name as lowercase letters, digits, dots, dashes or underscores "
                                    "(for example jane.doe)."},
        widget=forms.TextInput(attrs={"placeholder": "jane.doe", "pattern": r"[a-z0-9][a-z0-9._\-]{0,49}",
                                      "maxlength": 50, "autocomplete": "username", "spellcheck": "false"}))


def _collector_label(collector: collectors.RegisteredCollector) -> str:
    return format_html('<strong>{}</strong>{} <span class="muted">{} · from {}</span>', collector.id,
                       "" if collector.default else mark_safe(' <span class="muted">(opt-in)</span>'),
                       collector.description, collector.plugin)


class BundleForm(forms.Form):
    collectors = forms.MultipleChoiceField(label="Collectors", widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "Pick at least one collector."})
    encrypt = Checkbox(initial=True)
    recipients = forms.CharField(label="Other age public keys, one per line", required=False, max_length=20_000,
                                 widget=forms.Textarea(attrs={"rows": 2, "placeholder": "age1…",
                                                              "spellcheck": "false"}))

    def __init__(self, *args: Any, vendor_recipients: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registered = list(collectors.registry().values())
        self.fields["collectors"].choices = [(c.id, _collector_label(c)) for c in registered]
        self.fields["collectors"].initial = [c.id for c in registered if c.default]
        if vendor_recipients:
            keys = ", ".join(vendor_recipients)
            self.fields["encrypt"].label = (f"Encrypt to the vendor's public key{'s' if len(vendor_recipients) > 1 else ''}"
                                            f" ({keys if len(keys) <= 60 else keys[:59] + '…'})")
        else:
            del self.fields["encrypt"]
