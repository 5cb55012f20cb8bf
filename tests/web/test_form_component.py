"""The form component: every Django form renders through FORM_RENDERER with labels, help, errors
and groups of choices in a fieldset whose legend names the group."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings


class Example(forms.Form):
    email = forms.EmailField(label="Email", help_text="Where the link goes.")
    note = forms.CharField(label="Note", required=False)
    events = forms.MultipleChoiceField(label="Events to send", widget=forms.CheckboxSelectMultiple,
                                       choices=[("a", "Project created"), ("b", "Project deleted")])
    scope = forms.ChoiceField(label="Scope", widget=forms.RadioSelect, choices=[("ro", "Read-only"), ("rw", "Read-write")])


def test_every_form_uses_the_anneal_renderer():
    assert settings.FORM_RENDERER == "core.web.forms.AnnealFormRenderer"
    assert Example().renderer.form_template_name == "anneal/forms/form.html"


def test_a_text_field_has_its_label_and_its_help_linked_by_aria_describedby():
    html = str(Example())
    assert re.search(r'<label for="id_email">Email</label>', html)
    assert 'aria-describedby="id_email_helptext"' in html
    assert '<div class="field-help" id="id_email_helptext">Where the link goes.</div>' in html
    assert '<label for="id_note">Note <span class="muted">(optional)</span></label>' in html


def test_checkbox_and_radio_groups_are_fieldsets_with_a_legend():
    html = str(Example())
    for legend in ("Events to send", "Scope"):
        assert re.search(rf'<fieldset class="field choices"[^>]*>\s*<legend>{legend}</legend>', html)
    assert re.search(r'<label for="id_events_0"><input type="checkbox" name="events" value="a"[^>]*>\s*Project created</label>', html)


def test_errors_are_announced_and_marked_on_the_field():
    form = Example(data={"email": "not an address", "scope": "ro"})
    assert not form.is_valid()
    html = str(form)
    assert 'aria-invalid="true"' in html
    assert re.search(r'<div class="form-error" id="id_email_error" role="alert">Enter a valid email address.</div>', html)
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert '<fieldset class="field choices has-error"' in html  # no event picked


def test_the_password_change_page_renders_through_the_component(web_client_for, make_user):
    response = web_client_for(make_user()).post("/password/change/", {"old_password": "wrong"})
    html = response.content.decode()
    assert '<label for="id_new_password1">New password</label>' in html
    assert 'id="id_old_password_error" role="alert"' in html
