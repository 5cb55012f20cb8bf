"""Quotas besides seats (organizations, projects, a meter's monthly quantity): a soft margin with a
warning, then new creations refused with a clear message; nothing that exists is blocked; keys
without quotas limit nothing."""

from __future__ import annotations

import pytest

from anneal_enterprise.licensing import banners, quotas, services
from anneal_prompts import services as prompts
from core import metering
from core.models import Organization, Project
from core.services import organizations, projects
from core.services.errors import PolicyRefused

pytestmark = pytest.mark.django_db



def test_organizations_beyond_the_margin_are_refused_with_a_clear_message(signer, make_user):
    owner = make_user()
    services.install(signer.issue(quotas={"organizations": 2}), source="cli")
    for name in ("One", "Two", "Three"):  # the third is the 10% margin (at least one)
        organizations.create_organization(owner, name)
    with pytest.raises(PolicyRefused) as refused:
        organizations.create_organization(owner, "Four")
    assert refused.value.code == "license_quota"
    assert refused.value.message == (
        "The license allows 2 organizations (up to 3 with the 10% margin) and 3 are in use, so no more can be "
        "created. Existing ones keep working; remove some, or ask for a license with a higher quota.")
    assert Organization.objects.count() == 3


def test_projects_beyond_the_margin_are_refused_and_existing_ones_stay_readable(
        signer, make_organization, web_client_for):
    organization = make_organization()
    owner = organization.memberships.get().user
    services.install(signer.issue(quotas={"projects": 1}), source="cli")
    projects.create_project(organization, "Alpha")
    projects.create_project(organization, "Beta")
    with pytest.raises(PolicyRefused, match="The license allows 1 projects"):
        projects.create_project(organization, "Gamma")
    client = web_client_for(owner)
    assert client.get(f"/o/{organization.slug}/p/alpha/").status_code == 200
    refused = client.post(f"/o/{organization.slug}/", {"name": "Gamma"})
    assert refused.status_code == 400 and "The license allows 1 projects" in refused.content.decode()


def test_a_metered_quantity_beyond_its_monthly_quota_refuses_new_work_only(signer, make_organization):
    organization = make_organization()
    project = Project.objects.create(organization=organization, name="P", slug="p")
    services.install(signer.issue(quotas={"meters": {"prompts.versions": 2}}), source="cli")
    prompt = prompts.create_prompt(project, "Greeting", "Hello")  # version 1
    prompts.edit_prompt(prompt, "Hello!")  # 2
    prompts.edit_prompt(prompt, "Hello!!")  # 3: the margin
    assert metering.month_total("prompts.versions") == 3
    with pytest.raises(prompts.PromptError, match="The license allows 2 prompts.versions this month"):
        prompts.edit_prompt(prompt, "Hello!!!")
    prompt.refresh_from_db()
    assert prompt.current_version.body == "Hello!!"  # what exists is untouched


def test_a_key_without_quotas_limits_nothing(signer, make_user):
    owner = make_user()
    services.install(signer.issue(), source="cli")
    for number in range(5):
        organizations.create_organization(owner, f"Org {number}")
    assert quotas.usage() == []


def test_admins_see_a_warning_above_the_quota_before_anything_is_refused(signer, make_user, rf):
    owner = make_user()
    admin = make_user(is_staff=True)
    services.install(signer.issue(quotas={"organizations": 10}), source="cli")
    for number in range(11):
        organizations.create_organization(owner, f"Org {number}")
    request = rf.get("/")
    request.user = admin
    assert "11 of 10 licensed organizations are in use. New ones stop at 11" in banners.banner(request)
    request.user = owner
    assert banners.banner(request) is None


def test_snapshots_carry_each_meters_daily_total(signer, make_organization):
    from datetime import timedelta

    from anneal_enterprise.licensing import clock
    from anneal_enterprise.licensing.usage import snapshots

    organization = make_organization()
    project = Project.objects.create(organization=organization, name="P", slug="p")
    services.install(signer.issue(), source="cli")
    prompt = prompts.create_prompt(project, "Greeting", "Hello")
    prompts.edit_prompt(prompt, "Hi")
    clock.set_now(clock.now() + timedelta(days=1))
    assert snapshots.take().document["meters"] == {"prompts.versions": 2}
