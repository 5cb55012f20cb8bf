"""The License page's key form, rendered through the form component (ids ``license-…``)."""

from __future__ import annotations

from django import forms

KEY_MAX = 64_000


class LicenseKeyForm(forms.Form):
    key = forms.CharField(
        label="License key (including the BEGIN and END lines)", max_length=KEY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The preview shows what the key would change; nothing is installed until you confirm.")

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "license-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
