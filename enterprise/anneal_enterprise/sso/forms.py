"""The SSO settings tab's forms (add and edit a provider, email domains, the policy) and the
"Sign in with SSO" entry, rendered through the form component.

The views still read ``request.POST`` and call ``config``; these classes give each field its
label, help and widget. Several providers are edited on one page, each in its own ``<form>``: the
field names stay the ones the view reads, and ``auto_id`` gives each provider's fields their own
ids (``p<public id>-name``) so no two fields of the page share an id.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from anneal_enterprise.forms import Checkbox
from anneal_enterprise.sso.models import IdentityProvider
from core.roles import Role
from core.times import when

ROLE_CHOICES = [(r.value, r.value) for r in Role if r != Role.OWNER]


def provider_auto_id(provider: IdentityProvider) -> str:
    return f"p{provider.public_id.hex}-%s"


class ProviderForm(forms.Form):
    """One identity provider: an add form (``provider=None``) or the edit form of ``provider``."""

    name = forms.CharField(max_length=100)
    # OpenID Connect
    issuer = forms.CharField(max_length=500)
    client_id = forms.CharField(label="Client id", max_length=500)
    client_secret = forms.CharField(label="Client secret", required=False, max_length=2000,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    scopes = forms.CharField(max_length=500, initial="openid email profile")
    # SAML
    metadata_source = forms.ChoiceField(label="IdP metadata", widget=forms.RadioSelect, initial="url", choices=[
        ("url", "From its URL (refreshed daily)"), ("xml", "Uploaded XML")])
    idp_metadata_url = forms.CharField(label="IdP metadata URL", required=False, max_length=2000,
                                       widget=forms.URLInput())
    idp_metadata_file = forms.FileField(label="Metadata XML file", required=False,
                                        widget=forms.FileInput(attrs={"accept": ".xml,application/xml,text/xml"}))
    idp_metadata_xml = forms.CharField(label="…or paste the metadata XML", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
    allow_idp_initiated = Checkbox(label="Allow IdP-initiated sign-in")
    clock_skew_seconds = forms.CharField(label="Allowed clock skew (seconds)", required=False, max_length=5,
                                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    # both
    email_attribute = forms.CharField(max_length=200, initial="email")
    name_attribute = forms.CharField(required=False, max_length=200, initial="name")
    groups_attribute = forms.CharField(required=False, max_length=200, initial="groups")
    role_mapping = forms.CharField(label="Role mapping (JSON: IdP group to role)", required=False, max_length=20_000,
                                   initial="{}", widget=forms.TextInput(attrs={"placeholder": '{"anneal-admins": "admin"}'}))
    default_role = forms.ChoiceField(label="Default role (for people in no mapped group)", choices=ROLE_CHOICES,
                                     initial=Role.MEMBER.value)
    require_mfa = Checkbox()
    mfa_values = forms.CharField(label="Accepted MFA values, one per line", required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Empty: the common multi-factor values.")
    enabled = Checkbox(label="Enabled", initial=True)

    OIDC_ONLY = ("issuer", "client_id", "client_secret", "scopes")
    SAML_ONLY = ("metadata_source", "idp_metadata_url", "idp_metadata_file", "idp_metadata_xml",
                 "allow_idp_initiated", "clock_skew_seconds")
    EDIT_ONLY = ("allow_idp_initiated", "clock_skew_seconds", "require_mfa", "mfa_values")
    ATTRIBUTES = ("email_attribute", "name_attribute", "groups_attribute", "role_mapping", "default_role")

    def __init__(self, *args: Any, kind: str, provider: IdentityProvider | None = None, **kwargs: Any) -> None:
        if provider is not None:
            kwargs.setdefault("auto_id", provider_auto_id(provider))
            kwargs.setdefault("initial", self.initial_of(provider))
        else:
            kwargs.setdefault("auto_id", f"add-{kind}-%s")
        super().__init__(*args, **kwargs)
        self.kind, self.provider = kind, provider
        for name in self.SAML_ONLY if kind == IdentityProvider.OIDC else self.OIDC_ONLY:
            del self.fields[name]
        if provider is None:
            for name in self.EDIT_ONLY:
                self.fields.pop(name, None)
        self._describe(kind, provider)

    def _describe(self, kind: str, provider: IdentityProvider | None) -> None:
        fields = self.fields
        if kind == IdentityProvider.OIDC:
            if provider is None:
                fields["name"].widget.attrs["placeholder"] = "Okta"
                fields["issuer"].widget.attrs["placeholder"] = "https://acme.okta.com"
                fields["client_secret"].help_text = ("Optional now: without it the provider is added disabled, and "
                                                     "you enable it once you have entered the secret.")
            elif provider.client_secret_encrypted:
                fields["client_secret"].help_text = "Stored encrypted; leave empty to keep it."
            else:
                fields["client_secret"].help_text = "Not set yet: paste the secret your identity provider issued."
        else:
            if provider is None:
                fields["name"].widget.attrs["placeholder"] = "Entra ID"
                fields["idp_metadata_url"].widget.attrs["placeholder"] = (
                    "https://login.microsoftonline.com/…/federationmetadata.xml")
            else:
                fields["metadata_source"].choices = [
                    ("url", "From its URL (refreshed daily)"),
                    ("xml", "Uploaded XML (kept as it is; upload again when the IdP's certificate changes)")]
                read = f" (read {when(provider.metadata_refreshed_at)})" if provider.metadata_refreshed_at else ""
                fields["idp_metadata_xml"].help_text = f"Leave both empty to keep the metadata stored now{read}."
        if "require_mfa" in fields:
            confirms = "amr / acr" if kind == IdentityProvider.OIDC else "AuthnContextClassRef"
            fields["require_mfa"].label = f"Require that the provider confirms MFA ({confirms})"

    @staticmethod
    def initial_of(provider: IdentityProvider) -> dict[str, Any]:
        return {
            "name": provider.name, "issuer": provider.issuer, "client_id": provider.client_id,
            "scopes": provider.scopes, "idp_metadata_url": provider.idp_metadata_url,
            "metadata_source": "url" if provider.idp_metadata_url else "xml",
            "allow_idp_initiated": provider.allow_idp_initiated, "clock_skew_seconds": provider.clock_skew_seconds,
            "email_attribute": provider.email_attribute, "name_attribute": provider.name_attribute,
            "groups_attribute": provider.groups_attribute, "role_mapping": json.dumps(provider.role_mapping),
            "default_role": provider.default_role, "require_mfa": provider.require_mfa,
            "mfa_values": provider.mfa_values, "enabled": provider.enabled,
        }

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ATTRIBUTES]


class DomainForm(forms.Form):
    domain = forms.CharField(label="Email domain", max_length=253, widget=forms.TextInput(
        attrs={"placeholder": "acme.com", "autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sso-%s")
        super().__init__(*args, **kwargs)


class PolicyForm(forms.Form):
    enforce = Checkbox(label="Require SSO: members cannot sign in with a password, and sessions not started "
                             "through SSO end")
    require_for_tokens = Checkbox(label="Also refuse members' personal API tokens")
    break_glass = forms.MultipleChoiceField(label="Break-glass owners (may still use a password)", required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, owners: list[Any], editable: bool, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sso-policy-%s")
        super().__init__(*args, **kwargs)
        self.fields["break_glass"].choices = [(str(owner.pk), owner.email) for owner in owners]
        for field in self.fields.values():
            field.disabled = not editable


class SsoEntryForm(forms.Form):
    entry = forms.CharField(label="Work email or organization short name", max_length=254, widget=forms.TextInput(
        attrs={"autofocus": True, "autocomplete": "username", "spellcheck": "false"}))
