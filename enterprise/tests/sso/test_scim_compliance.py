"""An independent SCIM 2.0 compliance checker (scim2-tester) run against a live Anneal server."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from .conftest import add_verified_domain

pytestmark = pytest.mark.django_db(transaction=True)


def result_line(results: list[Any]) -> str:
    counts = Counter(r.status.name for r in results)
    return f"scim2-tester {version('scim2-tester')}: {len(results)} checks, " + ", ".join(
        f"{counts[name]} {name.lower()}" for name in sorted(counts))


@pytest.fixture
def checker_emails_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the checker invent email addresses at one domain.

    It otherwise invents them at random domains, and Anneal refuses, by design, to move an account to a
    domain the organization has not verified (docs/enterprise/sso.md, "Account ownership"). Only the
    generator of ``emails.value`` values changes; every check runs as the checker wrote it.
    """
    from scim2_tester import filling

    invent = filling.get_random_example_value

    def use(domain: str) -> None:
        def example(path: Any) -> Any:
            binding = path.resolve()
            model = binding.target_model if binding is not None else None
            if str(path).lower().endswith("emails.value") or (
                    binding is not None and binding.target_field_name == "value" and model is not None
                    and "email" in model.__name__.lower()):
                return f"{uuid.uuid4().hex}@{domain}"
            return invent(path)

        monkeypatch.setattr(filling, "get_random_example_value", example)

    return use


def version(name: str) -> str:
    from importlib.metadata import version as installed

    return installed(name)


def test_scim2_tester_passes_every_check(sso_licensed, make_organization, live_server, settings, checker_emails_at):
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server

    from anneal_enterprise.sso import config

    settings.BASE_URL = live_server.url
    organization = make_organization()
    add_verified_domain(organization, "checker.test")
    checker_emails_at("checker.test")
    _, token = config.create_scim_token(organization)
    base = f"{live_server.url}/api/v1/plugins/enterprise/sso/scim/v2"
    with Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        results = check_server(SyncSCIMClient(http))
    print(result_line(results))
    failed = [r for r in results if r.status not in {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE,
                                                     Status.SKIPPED}]
    assert not failed, "\n".join(f"{r.status.name} {r.resource_type or ''} {r.title}: {r.reason}" for r in failed)
