"""Replays of the request sequences Okta's and Entra ID's provisioning connectors send (their documented
examples, in ``scim_replays/``): each step gets the status and the response fields the IdP expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.models import User

from .conftest import add_verified_domain

pytestmark = pytest.mark.django_db
REPLAYS = Path(__file__).parent / "scim_replays"


def substitute(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, saved_value in saved.items():
            value = value.replace("{" + name + "}", saved_value)
        return value
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    return value


def lookup(body: Any, dotted: str) -> Any:
    for part in split(dotted):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def split(dotted: str) -> list[str]:
    """``a.b.0`` into parts, keeping a schema URN (which holds dots) whole."""
    if dotted.startswith("urn:"):
        urn, _, rest = dotted.partition(".")
        while rest and not rest.split(".")[0][:1].islower() and not rest.split(".")[0].isdigit():
            head, _, rest = rest.partition(".")
            urn += "." + head
        return [urn, *(rest.split(".") if rest else [])]
    return dotted.split(".")


@pytest.mark.parametrize("idp", ["okta", "entra"])
def test_the_connector_sequence_passes_as_the_idp_expects(scim, idp):
    replay = json.loads((REPLAYS / f"{idp}.json").read_text())
    for domain in replay["verified_domains"]:
        add_verified_domain(scim.organization, domain)
    saved: dict[str, str] = {}
    for step in replay["steps"]:
        response = scim.call(step["method"].lower(), substitute(step["path"], saved),
                             substitute(step.get("body"), saved))
        where = f"{idp}: {step['name']}"
        assert response.status_code == step["status"], f"{where}: {response.status_code} {response.content[:500]!r}"
        if response.status_code != 204:
            assert response["Content-Type"].startswith("application/scim+json"), where
        body = response.json() if response.content else {}
        for name, path in step.get("save", {}).items():
            saved[name] = str(lookup(body, path))
        for path, expected in step.get("expect", {}).items():
            assert lookup(body, path) == substitute(expected, saved), f"{where}: {path} = {lookup(body, path)!r}"
        for attribute in step.get("absent", []):
            assert attribute not in body, f"{where}: {attribute} should not be returned"
        if "account" in step:
            user = User.objects.get(pk=saved["user"])
            for field, expected in step["account"].items():
                assert getattr(user, field) == expected, f"{where}: account {field} = {getattr(user, field)!r}"
