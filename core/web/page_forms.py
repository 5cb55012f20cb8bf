"""The core pages' forms, rendered through the form component (``AnnealFormRenderer``).

The views still read ``request.POST`` and call the services; these classes give every field its
label, help and widget attributes in one place, so a page never writes an ``<input>`` by hand.
A view re-renders a refused form with ``Form(initial=typed)`` so the typed values are kept.
"""

from __future__ import annotations

from django import forms

NAME_MAX = 200


class ProfileNameForm(forms.Form):
    name = forms.CharField(required=False, max_length=150,
                           widget=forms.TextInput(attrs={"placeholder": "How colleagues see you"}))


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text="You sign in and get password-reset links with this address. With a second "
                                       "factor set up, you confirm with it first.")


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    slug = forms.CharField(required=False, max_length=100, widget=forms.TextInput(attrs={
        "placeholder": "made from the name", "pattern": "[-a-zA-Z0-9_]*",
        "title": "Letters, digits, hyphens and underscores"}))


class ProjectCreateForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    description = forms.CharField(required=False)


class ProjectEditForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"placeholder": "ci-deploy"}))
    expires_at = forms.DateField(label="Expires on", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Leave the date empty for a token that never expires.")


class OrganizationNameForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
