"""Forms of the second-factor pages, rendered with ``{{ form }}``."""

from __future__ import annotations

from django import forms

GRACE_DAYS_MAX = 90


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=12, strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9 ]*", "autofocus": True}))


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(label="Recovery code", max_length=40, strip=True, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class PasskeyNameForm(forms.Form):
    name = forms.CharField(label="Name of this passkey", max_length=100, initial="Passkey",
                           help_text="For example the device or key it lives on.")


class MfaRequirementForm(forms.Form):
    required = forms.BooleanField(label="Require members to use a second factor", required=False)
    grace_days = forms.IntegerField(
        label="Grace period (days)", min_value=0, max_value=GRACE_DAYS_MAX, initial=7,
        help_text="Members without a second factor may sign in for this many days after the requirement is "
                  "switched on (or after they join); then they must set one up before anything else.")


class ResetFactorsForm(forms.Form):
    email = forms.EmailField(label="Email of the account", max_length=254)
    reason = forms.CharField(label="Reason (recorded in the audit log)", max_length=500)
