"""The audit log pages: a readable actor, no instance-wide numbers, who sees the tab, the instance log."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anneal_enterprise.audit.actors import readable_actor
from anneal_enterprise.audit.models import AuditDestination, AuditRecord
from core.services.users import create_user

from .receivers import self_signed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(organization):
    return organization.memberships.get().user


def page_of(client, organization) -> str:
    response = client.get(f"/plugins/enterprise/audit/organizations/{organization.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_action_through_an_api_token_reads_as_the_person_with_the_token(organization, owner, api_client_for):
    api = api_client_for(owner)
    assert api.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": "Rocket"},
                    format="json").status_code == 201
    client = Client()
    client.force_login(owner)
    html = page_of(client, organization)

    (row,) = [row for row in re.findall(r"<tr data-record=.*?</tr>", html, re.S) if ">project.created<" in row]
    row = re.search(r'<td class="actor">(.*?)</td>', row, re.S)
    assert re.fullmatch(r'owner@example\.com <span class="muted">with API token anl_[\w-]+…</span>', row.group(1))
    assert "(token" not in html and "(token)" not in html


@pytest.mark.parametrize("actor, expected", [
    ({"kind": "token", "display": "ann@example.com (token anl_G23RbC…)"}, ("ann@example.com", "with API token anl_G23RbC…")),
    ({"kind": "user", "display": "ann@example.com"}, ("ann@example.com", "")),
    ({"kind": "system", "display": "system"}, ("Anneal", "automatically")),
    ({"kind": "anonymous", "display": "mallory@example.com"}, ("mallory@example.com", "not signed in")),
    ({"kind": "scim", "display": "scim:scim_abc… (SCIM token)"}, ("SCIM provisioning", "with SCIM token scim_abc…")),
    ({"kind": "sso", "display": "sso:Okta (OpenID Connect)"}, ("Okta (OpenID Connect)", "single sign-on")),
    ({"kind": "support", "display": "support:jane"}, ("support:jane", "vendor support")),
])
def test_every_kind_of_actor_reads_as_a_name_and_how(actor, expected):
    readable = readable_actor(actor)
    assert (readable.name, readable.via) == expected


def test_records_carry_no_instance_wide_numbers(organization, owner, make_organization):
    from core.services import projects

    other = make_organization()
    for number in range(3):
        projects.create_project(other, f"Elsewhere {number}")  # ids the first organization never sees
    projects.create_project(organization, "Rocket")
    client = Client()
    client.force_login(owner)
    html = page_of(client, organization)
    table = html.split('class="audit-records"')[1].split("</table>")[0]

    assert "<th>#</th>" not in table
    ids = set(AuditRecord.objects.values_list("id", flat=True))
    cells = {int(cell) for cell in re.findall(r"<td>(\d+)</td>", table)}
    assert not cells & ids
    assert not re.search(r"#\d", re.sub(r"<[^>]+>", " ", html))


def test_members_see_no_audit_log_tab_and_admins_do(organization, owner, make_member):
    member = make_member(organization, "member")
    client = Client()
    client.force_login(member)
    assert "/plugins/enterprise/audit/" not in client.get(f"/o/{organization.slug}/").content.decode()
    client.force_login(owner)
    assert f"/plugins/enterprise/audit/organizations/{organization.slug}/" in client.get(
        f"/o/{organization.slug}/").content.decode()


def test_unlicensed_the_page_is_an_upgrade_prompt_and_actions_stay_refused(organization, owner, audit_license):
    audit_license.enabled = False
    client = Client()
    client.force_login(owner)
    page = client.get(f"/plugins/enterprise/audit/organizations/{organization.slug}/")
    assert page.status_code == 200 and "upgrade-prompt" in page.content.decode()
    assert client.post(f"/plugins/enterprise/audit/organizations/{organization.slug}/verify/").status_code == 403


def test_staff_browse_the_instance_events_linked_from_the_system_page(organization, make_user):
    staff = create_user("staff@example.com", "correct horse battery", is_staff=True)
    create_user("new@example.com", "correct horse battery")
    client = Client()
    assert client.post("/sign-in/", {"email": "staff@example.com", "password": "correct horse battery"}).status_code == 302

    system = client.get("/system/").content.decode()
    assert 'href="/plugins/enterprise/audit/instance/"' in system and "Instance audit log" in system
    html = client.get("/plugins/enterprise/audit/instance/").content.decode()
    shown = set(re.findall(r'<span class="severity-\w+">([\w.]+)</span>', html))
    assert {"user.created", "user.signed_in"} <= shown
    assert "new@example.com" in html
    assert not shown & {"project.created", "organization.created"}  # those are the organizations'
    only_sign_ins = client.get("/plugins/enterprise/audit/instance/", {"action": "user.signed_in"}).content.decode()
    assert set(re.findall(r'<span class="severity-\w+">([\w.]+)</span>', only_sign_ins)) == {"user.signed_in"}


def test_the_instance_audit_log_is_for_staff_only(organization, owner):
    client = Client()
    client.force_login(owner)
    assert client.get("/plugins/enterprise/audit/instance/").status_code == 302  # to the admin sign-in
    assert "/plugins/enterprise/audit/instance/" not in client.get("/").content.decode()


def test_a_tls_destination_takes_a_private_ca_from_the_page(organization, owner, tmp_path):
    cert, _ = self_signed_certificate(tmp_path)
    client = Client()
    client.force_login(owner)
    base = f"/plugins/enterprise/audit/organizations/{organization.slug}"
    assert 'name="tls_ca_pem"' in page_of(client, organization)

    fields = {"name": "SIEM", "kind": "syslog", "host": "siem.example.com", "port": "6514", "tls": "on"}
    garbage = client.post(f"{base}/destinations/", {**fields, "tls_ca_pem": "-----BEGIN CERTIFICATE-----\nnope\n"
                                                                            "-----END CERTIFICATE-----"}, follow=True)
    assert "The CA certificate is not a valid PEM certificate." in garbage.content.decode()
    assert not AuditDestination.objects.exists()

    added = client.post(f"{base}/destinations/", {**fields, "tls_ca_pem": open(cert).read()}, follow=True)
    assert "Added SIEM." in added.content.decode()
    assert AuditDestination.objects.get().tls_ca_encrypted and "BEGIN" not in AuditDestination.objects.get().tls_ca_encrypted


def test_an_intact_report_counts_in_words():
    from anneal_enterprise.audit.chain import Report

    assert Report(organization_id=7, records=1, checkpoints=1).summary() == (
        "Intact: organization 7: 1 sealed record and 1 signed checkpoint verified.")
    assert "3 sealed records and 2 signed checkpoints" in Report(organization_id=7, records=3, checkpoints=2).summary()
