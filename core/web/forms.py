"""The form component: every Django form in Anneal renders through these templates (``FORM_RENDERER``).

``{{ form }}`` gives each field a label, its help text (linked by ``aria-describedby``), its errors
(``aria-invalid``, announced) and the widget; a group of checkboxes or radio buttons becomes a
``<fieldset>`` whose ``<legend>`` is the field's label, a single checkbox sits beside its text.
``{{ form.name.as_field_group }}`` renders one field the same way. Hand-written forms use the same
classes (docs/web-ui.md).
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates


class AnnealFormRenderer(DjangoTemplates):
    form_template_name = "anneal/forms/form.html"
    field_template_name = "anneal/forms/field.html"


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Many checkboxes laid out in columns, each group of choices (``[(group, [(value, label), ...]), ...]``)
    in its own ``<fieldset class="choice-group">`` whose ``<legend>`` names the group."""

    template_name = "anneal/forms/widgets/grouped_checkboxes.html"


def refuse(form: forms.Form, message: str, field: str | None = None) -> forms.Form:
    """Show ``message`` by ``field`` (``aria-invalid``, announced), or above the form when the form has no such
    field: what a view does when its service refuses a submission. Returns ``form``, re-rendered with its values."""
    form.add_error(field if field in form.fields else None, message)
    return form
