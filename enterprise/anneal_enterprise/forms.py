"""What the enterprise pages' forms share: an optional checkbox, and the ways a service's refusal is
shown by the field it concerns (on the page itself, or carried over a redirect).

Every form renders through the form component (``core.web.forms.AnnealFormRenderer``), whose field
template puts a single checkbox inside its label, before the text.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import HttpRequest, QueryDict

from core.plugins.web import refuse  # noqa: F401  (the enterprise forms' name for it)

SESSION_KEY = "anneal_enterprise_refused_form"

F = TypeVar("F", bound=forms.Form)


class Checkbox(forms.BooleanField):
    """An optional yes/no field; the form component renders it as ``<label><input type="checkbox"> Text</label>``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def _unvalidated(form: F) -> F:
    """``form`` bound but not validated: it shows only the errors added to it, those the service
    (not the form) found."""
    form.cleaned_data = {}
    form._errors = ErrorDict(renderer=form.renderer)
    return form


def show_refusal(form: forms.Form, message: str, field: str | None) -> None:
    """Make bound ``form`` show only this refusal, by ``field`` when the form has it."""
    refuse(_unvalidated(form), message, field)


def refuse_or_tell(request: HttpRequest, form: forms.Form, message: str, field: str | None) -> None:
    """Put a refusal by its field; one about no field of ``form`` (a lapsed license, say) becomes
    the page's error message, since the form may not be shown at all then."""
    if field in form.fields:
        form.add_error(field, message)
    else:
        messages.error(request, message)


def keep_refused(request: HttpRequest, name: str, form: forms.Form, secrets: tuple[str, ...] = ()) -> None:
    """Keep a refused ``form`` for the next page (post/redirect/get): what was typed, except
    ``secrets``, and its errors. The page that posts elsewhere shows it with :func:`refused_form`."""
    data = {key: values for key, values in form.data.lists()
            if key not in secrets and key != "csrfmiddlewaretoken"} if hasattr(form.data, "lists") else {}
    request.session[SESSION_KEY] = {"name": name, "prefix": form.prefix or "", "data": data,
                                    "errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()}}


def refused_form(request: HttpRequest, name: str, form_class: type[F], **kwargs: Any) -> F | None:
    """The form ``name`` refused on the previous request, bound to what was typed and showing its
    errors, or ``None``. Read once: a reload shows the empty form again."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("name") != name:
        return None
    del request.session[SESSION_KEY]
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    form = _unvalidated(form_class(data=data, prefix=kept["prefix"] or None, **kwargs))
    for field, errors in kept["errors"].items():
        for error in errors:
            form.add_error(None if field == "__all__" else field, error)
    return form
