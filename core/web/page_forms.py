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


class InviteForm(forms.Form):
    """The invite row of the members page. The role is offered from the roles this person may hand out; the view
    checks both values and says what is wrong with them."""

    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"placeholder": "name@example.com"}),
                            error_messages={"required": "Enter an email address to invite."})
    role = forms.CharField(widget=forms.Select(), error_messages={"required": "Choose a role."})

    def __init__(self, *args, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.choices = [(role, role) for role in roles]


class InvitationLinkForm(forms.Form):
    """The one-time invitation link, read-only, for the person to copy (``data-copy``); never submitted."""

    use_required_attribute = False  # shown, never sent; "required" only keeps "(optional)" off its label
    link = forms.CharField(label="Invitation link", widget=forms.TextInput(attrs={
        "id": "invitation-link", "class": "secret", "readonly": True, "size": 60}))


class InvitationSignUpForm(forms.Form):
    """Creating the invited person's account: the email is the invitation's, shown and not editable."""

    email = forms.CharField(required=False, disabled=True, widget=forms.EmailInput())
    name = forms.CharField(required=False, max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages={"required": "Choose a password."},
        help_text="At least 8 characters, not only digits and not a common password.")
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages={"required": "Type the password again."})


class PluginModeForm(forms.Form):
    """Who a plugin is on for (the staff page): every organization or only those switched on."""

    mode = forms.ChoiceField(widget=forms.RadioSelect)
    owners_may_enable = forms.BooleanField(
        required=False, label="Organization owners may switch it on or off themselves (Settings → Plugins)")

    def __init__(self, *args, plugin: str, modes: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = modes
        self.fields["mode"].label = f"The {plugin} plugin is on for"


class PluginOrganizationForm(forms.Form):
    organization = forms.CharField(label="Organization slug", max_length=100)
