"""Which organizations enforce SSO is kept per process and follows changes made anywhere.

``policy.ENFORCING`` answers "does any organization of this user enforce SSO?" without a query
per request; its shared version counter makes every process reload it within a second of a
change of SSO settings, in this process at once.
"""

from __future__ import annotations

import secrets

import subprocess
import sys
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anneal_enterprise.sso import config, policy
from anneal_enterprise.sso.models import IdentityProvider, SsoSettings
from conftest import ROOT, child_environment
from core import shared_cache

pytestmark = pytest.mark.django_db


def with_provider(organization: Any) -> Any:
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP", issuer="https://idp.test",
                                    client_id="x")
    return organization


def sso_queries(api: Any, path: str = "/api/v1/me/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = api.get(path).status_code
    return status, sum("anneal_sso_ssosettings" in q["sql"] for q in queries.captured_queries)


def changed_elsewhere(organization: Any, **fields: Any) -> None:
    """What another process leaves behind: the row changed and the shared counter bumped, nothing told here."""
    SsoSettings.objects.filter(organization=organization).update(**fields)
    with connection.cursor() as cursor:
        stamp = secrets.randbits(62)
        cursor.execute("INSERT INTO core_sharedversion (name, version) VALUES (%s, %s) ON CONFLICT (name) "
                       "DO UPDATE SET version = %s", [policy.ENFORCING.name, stamp, stamp])


def test_a_token_request_costs_no_sso_query_while_no_organization_refuses_tokens(
        sso_licensed, make_organization, make_member, api_client_for, django_capture_on_commit_callbacks):
    organization = with_provider(make_organization())
    with django_capture_on_commit_callbacks(execute=True):
        config.update_settings(organization, enforce=True, require_for_tokens=False, break_glass=[])
    api = api_client_for(make_member(organization))
    api.get("/api/v1/me/")

    assert sso_queries(api) == (200, 0)


def test_requiring_sso_for_tokens_refuses_the_next_request_of_this_process(
        sso_licensed, make_organization, make_member, api_client_for, django_capture_on_commit_callbacks):
    organization = with_provider(make_organization())
    api = api_client_for(make_member(organization))
    assert api.get("/api/v1/me/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        config.update_settings(organization, enforce=True, require_for_tokens=True, break_glass=[])

    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "requires SSO for API tokens" in response.json()["detail"]


def test_a_policy_changed_by_another_process_is_enforced_after_the_next_version_poll(
        sso_licensed, make_organization, make_member, api_client_for, django_capture_on_commit_callbacks):
    organization = with_provider(make_organization())
    with django_capture_on_commit_callbacks(execute=True):
        config.update_settings(organization, enforce=True, require_for_tokens=False, break_glass=[])
    api = api_client_for(make_member(organization))
    assert api.get("/api/v1/me/").status_code == 200

    changed_elsewhere(organization, require_for_tokens=True)
    shared_cache.expire_poll()  # the poll interval (one second) has passed

    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "requires SSO for API tokens" in response.json()["detail"]


def test_enforcement_turned_off_elsewhere_stops_refusing_after_the_next_version_poll(
        sso_licensed, make_organization, make_member, api_client_for, django_capture_on_commit_callbacks):
    organization = with_provider(make_organization())
    with django_capture_on_commit_callbacks(execute=True):
        config.update_settings(organization, enforce=True, require_for_tokens=True, break_glass=[])
    api = api_client_for(make_member(organization))
    assert api.get("/api/v1/me/").status_code in (401, 403)

    changed_elsewhere(organization, enforce=False)
    shared_cache.expire_poll()

    assert api.get("/api/v1/me/").status_code == 200


def test_a_rolled_back_policy_change_is_not_enforced(sso_licensed, make_organization, make_member, api_client_for):
    from django.db import transaction

    organization = with_provider(make_organization())
    api = api_client_for(make_member(organization))
    with pytest.raises(RuntimeError), transaction.atomic():
        config.update_settings(organization, enforce=True, require_for_tokens=True, break_glass=[])
        raise RuntimeError("the request failed after the change")

    assert api.get("/api/v1/me/").status_code == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_policy_saved_in_another_os_process_refuses_tokens_here(sso_licensed, make_organization, make_member,
                                                                   api_client_for):
    organization = with_provider(make_organization())
    config.update_settings(organization, enforce=True, require_for_tokens=False, break_glass=[])
    api = api_client_for(make_member(organization))
    assert api.get("/api/v1/me/").status_code == 200

    script = ("from anneal_enterprise.sso.models import SsoSettings\n"
              f"s = SsoSettings.objects.get(organization_id={organization.pk})\n"
              "s.require_for_tokens = True\ns.save()\n")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=child_environment(),
                   check=True, timeout=120)
    shared_cache.expire_poll()

    assert api.get("/api/v1/me/").status_code in (401, 403)
