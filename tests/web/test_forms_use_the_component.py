"""Every form field is rendered by the form component (Django's form renderer), not written by hand.

A template that writes ``<input>``, ``<select>`` or ``<textarea>`` itself misses the component's
label, help, errors and checkbox groups. Hidden inputs are not fields a person fills in. Anything
else needs an entry below with its reason; a new page that writes a field by hand fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "core" / "web" / "templates", *ROOT.glob("enterprise/**/templates"),
                 *ROOT.glob("plugins/**/templates")]
FIELD = re.compile(r"<(input|select|textarea)\b[^>]*>", re.IGNORECASE)
HIDDEN = re.compile(r"""type=["']hidden["']""", re.IGNORECASE)

# template (relative to the checkout) -> why it writes fields by hand
ALLOWED: dict[str, str] = {
    "core/web/templates/anneal/_member_row.html": "the role select of a table row, posted with its Change role button by htmx",
    "core/web/templates/anneal/members.html": "the member search box (role=search, GET)",
    "core/web/templates/anneal/organization_settings.html": "the delete confirmation that must match the slug",
    "core/web/templates/anneal/organization_mfa.html": "the per-row reason of a factor reset in a table cell",
    "plugins/prompts/anneal_prompts/templates/anneal_prompts/_list.html": "the search box (role=search, GET)",
    "plugins/prompts/anneal_prompts/templates/anneal_prompts/diff.html": "the two version pickers of a GET comparison",
    "enterprise/anneal_enterprise/audit/templates/anneal_audit/_filters.html": "the audit log's GET filters",
}


def hand_written_fields() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in TEMPLATE_DIRS:
        for template in sorted(folder.rglob("*.html")):
            relative = template.relative_to(ROOT).as_posix()
            fields = [tag.group(0) for tag in FIELD.finditer(template.read_text()) if not HIDDEN.search(tag.group(0))]
            if fields:
                found[relative] = fields
    return found


def allowed(relative: str) -> bool:
    return any(relative == entry or (entry.endswith("/") and relative.startswith(entry)) for entry in ALLOWED)


def test_no_template_writes_a_form_field_by_hand_outside_the_allow_list():
    offenders = {path: fields for path, fields in hand_written_fields().items() if not allowed(path)}
    assert not offenders, ("render these fields with a Django form ({{ form }}) instead: "
                           + "; ".join(f"{path}: {fields[0]}" for path, fields in offenders.items()))


def test_every_allow_list_entry_still_writes_a_field():
    """A stale entry would let a later hand-written field in unnoticed."""
    found = hand_written_fields()
    stale = [entry for entry in ALLOWED if not any(path == entry or (entry.endswith("/") and path.startswith(entry))
                                                  for path in found)]
    assert not stale, f"remove these entries, they write no field any more: {stale}"


def test_the_guard_sees_a_hand_written_field(tmp_path):
    assert FIELD.search('<label>Name <input name="name"></label>')
    assert HIDDEN.search('<input type="hidden" name="next">')
