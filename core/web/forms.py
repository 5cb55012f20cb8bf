"""The form component: every Django form in Anneal renders through these templates (``FORM_RENDERER``).

``{{ form }}`` gives each field a label, its help text (linked by ``aria-describedby``), its errors
(``aria-invalid``, announced) and the widget; a group of checkboxes or radio buttons becomes a
``<fieldset>`` whose ``<legend>`` is the field's label. ``{{ form.name.as_field_group }}`` renders one
field the same way. Hand-written forms use the same classes (docs/web-ui.md).
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class AnnealFormRenderer(DjangoTemplates):
    form_template_name = "anneal/forms/form.html"
    field_template_name = "anneal/forms/field.html"
