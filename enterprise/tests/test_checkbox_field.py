"""The enterprise's single checkbox renders through the core's form component, like every other field."""

from __future__ import annotations

import re

from django import forms

from anneal_enterprise.forms import Checkbox


class Consent(forms.Form):
    tls = Checkbox(label="TLS", help_text="Verify the receiver.")


def test_a_checkbox_is_optional_and_uses_the_form_components_field_template():
    field = Consent().fields["tls"]
    assert not field.required and field.template_name is None


def test_a_refused_checkbox_sits_inside_its_label_with_its_error_and_help_linked_to_the_box():
    form = Consent(data={})
    form.add_error("tls", "The receiver does not speak TLS.")
    html = form["tls"].as_field_group()
    assert re.search(r'^<div class="field checkbox has-error">\s*<label for="id_tls"><input type="checkbox" name="tls" '
                     r'aria-invalid="true" aria-describedby="id_tls_helptext id_tls_error" id="id_tls"> TLS</label>', html)
    assert '<div class="form-error" id="id_tls_error" role="alert">The receiver does not speak TLS.</div>' in html
    assert '<div class="field-help" id="id_tls_helptext">Verify the receiver.</div>' in html
