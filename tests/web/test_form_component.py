"""The form component: every Django form renders through FORM_RENDERER with labels, help, errors
and groups of choices in a fieldset whose legend names the group."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings

from core.web.forms import GroupedCheckboxSelectMultiple, refuse


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


class Grouped(forms.Form):
    agree = forms.BooleanField(label="Send me the news", required=False)
    shown = forms.CharField(label="Shown", required=False, disabled=True)
    events = forms.MultipleChoiceField(label="Events to send", required=False, widget=GroupedCheckboxSelectMultiple,
                                       choices=[("Projects", [("p.c", "Project created"), ("p.d", "Project deleted")]),
                                                ("Tokens", [("t.c", "Token created")])])


def test_a_single_checkbox_sits_inside_its_label_beside_its_text():
    html = str(Grouped())
    assert re.search(r'<div class="field checkbox">\s*<label for="id_agree"><input type="checkbox" name="agree" '
                     r'id="id_agree"> Send me the news</label>', html)


def test_a_disabled_field_is_shown_without_optional_on_its_label():
    assert '<label for="id_shown">Shown</label>' in str(Grouped())


def test_grouped_checkboxes_give_each_group_a_fieldset_whose_legend_names_it_laid_out_in_columns():
    html = str(Grouped())
    assert re.search(r'<legend>Events to send <span class="muted">\(optional\)</span></legend>\s*<div id="id_events" '
                     r'class="grouped-choices">', html)
    projects = re.search(r'<fieldset class="choice-group"><legend>Projects</legend><div class="choices-grid">(.*?)'
                         r'</div></fieldset>', html, re.S)
    assert projects and projects.group(1).count('type="checkbox"') == 2 and "Token created" not in projects.group(1)
    assert re.search(r'<legend>Tokens</legend><div class="choices-grid">\s*<label for="id_events_1_0">', html)


def test_a_refusal_is_shown_by_its_field_or_above_the_form_when_no_field_has_that_name():
    form = refuse(Example(data={"email": "a@example.com", "scope": "ro", "events": ["a"]}), "Already invited.", "email")
    html = str(form)
    assert 'id="id_email_error" role="alert">Already invited.</div>' in html and 'aria-invalid="true"' in html
    other = str(refuse(Example(data={"email": "a@example.com", "scope": "ro", "events": ["a"]}), "Quota used up.",
                       "quota"))
    assert other.startswith('<div class="form-error" role="alert">Quota used up.</div>')
