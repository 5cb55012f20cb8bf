"""The System page, and plugin contributions to pages: slots, navigation, settings tabs."""

import pytest

from core.plugins import NavItem, SettingsSection, hookimpl
from core.plugins.manager import mark_failed

pytestmark = pytest.mark.django_db


class BrokenFragment:
    @hookimpl
    def anneal_template_slot(self, slot, request, context):
        if slot == "organization":
            raise RuntimeError("template exploded")


class GoodFragment:
    @hookimpl
    def anneal_template_slot(self, slot, context):
        if slot == "organization":
            return f'<p id="good-fragment">Hello {context["organization"].name}</p>'


def test_a_failing_plugin_fragment_shows_an_error_box_and_the_page_still_renders(
        anneal_plugin, web_client_for, organization, owner):
    anneal_plugin(BrokenFragment(), name="broken")
    anneal_plugin(GoodFragment(), name="good")
    response = web_client_for(owner).get(f"/o/{organization.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "The plugin <strong>broken</strong> failed to render this part of the page (RuntimeError)" in body
    assert "template exploded" not in body  # details go to the log, not to every visitor
    assert '<p id="good-fragment">Hello Acme</p>' in body
    assert "Projects" in body


def test_a_fragment_that_is_not_text_is_shown_as_that_plugins_error(anneal_plugin, web_client_for, organization, owner):
    class ReturnsNumber:
        @hookimpl
        def anneal_template_slot(self, slot):
            return 42 if slot == "organization" else None

    anneal_plugin(ReturnsNumber(), name="numbers")
    body = web_client_for(owner).get(f"/o/{organization.slug}/").content.decode()
    assert "The plugin <strong>numbers</strong> failed" in body


def test_plugin_navigation_and_settings_sections_appear_with_locked_features(
        anneal_plugin, web_client_for, organization, owner):
    class Extras:
        @hookimpl
        def anneal_navigation(self, organization):
            if organization is not None:
                return [NavItem("Audit log", "/plugins/extras/audit/", section="organization", order=50,
                                feature="audit_log_that_nobody_enables")]
            return []

        @hookimpl
        def anneal_settings_sections(self, organization):
            return [SettingsSection("sso", "Single sign-on", f"/plugins/extras/{organization.slug}/sso/", order=20)]

    anneal_plugin(Extras(), name="extras")
    client = web_client_for(owner)
    body = client.get(f"/o/{organization.slug}/settings/").content.decode()
    assert '<a href="/plugins/extras/audit/" class="tab locked">Audit log</a>' in body
    tabs = body.split('aria-label="Settings sections"')[1].split("</nav>")[0]
    assert tabs.index("General") < tabs.index("Single sign-on")


def test_the_system_page_is_for_staff_only(web_client_for, make_user):
    response = web_client_for(make_user()).get("/system/")
    assert response.status_code == 403 and b"for staff accounts only" in response.content


def test_the_system_page_shows_version_plugins_hooks_and_health(web_client_for, make_user, anneal_plugin):
    class Fine:
        @hookimpl
        def anneal_navigation(self):
            return []

    anneal_plugin(Fine(), name="fine-plugin", requires=">=0.1")
    body = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    assert "Anneal 0.1.0" in body
    row = body.split('id="plugin-fine-plugin"')[1].split("</tr>")[0]
    assert "&gt;=0.1" in row and "loaded" in row and "anneal_navigation" in row
    assert 'id="health"' in body and ">ok<" in body
    assert "Django admin" not in body.split("<main")[1]  # staff, but not a superuser


def test_the_system_page_shows_a_failed_plugin_with_its_error(web_client_for, make_user, anneal_plugin):
    class Flaky:
        @hookimpl
        def anneal_navigation(self):
            return []

    anneal_plugin(Flaky(), name="flaky")
    mark_failed("flaky", RuntimeError("settings hook crashed"))
    body = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    row = body.split('id="plugin-flaky"')[1].split("</tr>")[0]
    assert "failed" in row and "settings hook crashed" in row
    assert "1 not loaded" in body


def test_superusers_get_a_django_admin_link(web_client_for, make_user):
    body = web_client_for(make_user(is_staff=True, is_superuser=True)).get("/system/").content.decode()
    assert 'href="/admin/"' in body
    assert web_client_for(make_user(is_staff=True, is_superuser=True)).get("/admin/").status_code == 200


def test_sign_in_methods_and_the_sign_in_slot_from_plugins_show_on_the_sign_in_page(anneal_plugin, db):
    from django.test import Client

    from core.plugins import SignInMethod

    class Sso:
        @hookimpl
        def anneal_sign_in_methods(self):
            return [SignInMethod("acme-sso", "Acme SSO", "/plugins/sso/acme/", "Use your Acme account")]

        @hookimpl
        def anneal_template_slot(self, slot):
            return '<p id="sso-hint">Staff use SSO</p>' if slot == "sign_in" else None

    anneal_plugin(Sso(), name="sso")
    body = Client().get("/sign-in/").content.decode()
    assert 'href="/plugins/sso/acme/">Acme SSO</a>' in body and "Use your Acme account" in body
    assert '<p id="sso-hint">Staff use SSO</p>' in body


def test_feature_unavailable_shows_a_plugins_upgrade_prompt_or_a_plain_note(anneal_plugin, without_plugins, rf):
    from django.template import Context, Template

    without_plugins("enterprise")  # the free core on its own: no upgrade prompt from anyone

    template = Template('{% load anneal %}{% feature_unavailable "audit_log" %}')
    context = Context({"request": rf.get("/")})
    assert "The audit log feature is not available in this edition." in template.render(context)

    class Upsell:
        @hookimpl
        def anneal_template_slot(self, slot, context):
            if slot == "feature_unavailable":
                return f'<a href="/upgrade/">Upgrade for {context["feature"]}</a>'

    anneal_plugin(Upsell(), name="upsell")
    assert '<a href="/upgrade/">Upgrade for audit_log</a>' in template.render(context)


def test_a_plugin_settings_page_extends_the_settings_frame_with_every_tab(anneal_plugin, rf, organization, owner):
    from django.template import engines

    class Sso:
        @hookimpl
        def anneal_settings_sections(self, organization):
            return [SettingsSection("sso", "Single sign-on", f"/plugins/sso/{organization.slug}/", order=20)]

    anneal_plugin(Sso(), name="sso")
    request = rf.get(f"/plugins/sso/{organization.slug}/")
    request.user, request.organization, request.role = owner, organization, "owner"
    page = engines["django"].from_string(
        '{% extends "anneal/settings_base.html" %}{% block settings_title %}SSO{% endblock %}'
        '{% block settings_content %}<p id="sso-form">SSO form</p>{% endblock %}'
    ).render({}, request)
    assert "<title>SSO · Acme · Anneal</title>" in page
    assert f'<a class="tab active" href="/plugins/sso/{organization.slug}/" aria-current="page" data-section="sso">' in page
    assert 'data-section="general">General</a>' in page and '<p id="sso-form">SSO form</p>' in page


def test_the_header_marks_the_current_page_for_assistive_technology(make_user, web_client_for):
    import re

    html = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', header) == ["System"]
