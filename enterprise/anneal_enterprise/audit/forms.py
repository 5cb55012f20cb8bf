"""The audit log page's forms (verify, export, streaming destination, retention), rendered with
``{{ form }}`` through the form component. The views still call the audit services; a refusal is
shown by the field it concerns."""

from __future__ import annotations

from django import forms

from anneal_enterprise.audit.models import AuditExport
from anneal_enterprise.forms import Checkbox


class VerifyForm(forms.Form):
    since_export = forms.FileField(
        label="Compare with an earlier export", required=False,
        widget=forms.FileInput(attrs={"accept": ".jsonl,.json,.log,.txt"}),
        help_text="A JSON Lines export taken before: the log must still hold every record it signed.")


class ExportForm(forms.Form):
    format = forms.ChoiceField(label="Export format", initial="jsonl", choices=[
        (value, "JSON Lines (verifiable offline)" if value == "jsonl" else label) for value, label in AuditExport.FORMATS])


class DestinationForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "SIEM"}))
    kind = forms.ChoiceField(choices=[("webhook", "HTTPS webhook"), ("syslog", "Syslog (TCP)")])
    url = forms.CharField(label="Webhook URL", required=False, max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://siem.example.com/hook"}))
    host = forms.CharField(label="Syslog host", required=False, max_length=255,
                           widget=forms.TextInput(attrs={"placeholder": "syslog.example.com"}))
    port = forms.CharField(label="Syslog port", required=False, max_length=5,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}))
    tls = Checkbox(label="TLS (syslog over TLS)")
    tls_ca_pem = forms.CharField(
        label="CA certificate for TLS", required=False, max_length=100_000, strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="PEM, for a private CA. Empty: the system's CAs.")
    event_types = forms.CharField(label="Event types", required=False, max_length=10_000,
                                  help_text="Comma separated. Empty: every type.")


class RetentionForm(forms.Form):
    retention_days = forms.CharField(
        label="Keep records for (days)", required=False, max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
        help_text="Empty: forever.")
