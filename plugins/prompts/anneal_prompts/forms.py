"""The prompt pages' forms, rendered by the core's form component (``{{ form }}``).

They only read what was typed (refusing NUL bytes); the services say what is wrong with it, and the views show
that by the field (``core.plugins.web.refuse``).
"""

from __future__ import annotations

from django import forms

from core.models import Project


def _body(rows: int, **options) -> forms.CharField:
    # strip=False: the text is the prompt, leading and trailing blank lines included
    return forms.CharField(label="Text", strip=False, widget=forms.Textarea(attrs={"rows": rows, "cols": 80}),
                           **options)


class NewPromptForm(forms.Form):
    project = forms.ChoiceField(choices=())
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))
    body = _body(8)

    def __init__(self, *args, projects: list[Project] | None = None, **kwargs) -> None:
        """``projects``: the projects to choose from (the organization's prompts page); ``None`` on a project's
        own page, where the form has no project field."""
        super().__init__(*args, **kwargs)
        if projects is None:
            del self.fields["project"]
        else:
            self.fields["project"].choices = [(project.slug, project.name) for project in projects]


class EditPromptForm(forms.Form):
    body = _body(10)
    note = forms.CharField(label="What changed", required=False, max_length=300,
                           widget=forms.TextInput(attrs={"size": 60}))


class PromptDetailsForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))
