"""Licenses for third-party plugins: a plugin's vendor key unlocks that plugin's features and
nothing else; every crossing is refused with the reason; several licenses are in force at once,
each installed and removed on its own."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anneal_enterprise import entitlements
from anneal_enterprise.licensing import keyring, preview, services, status
from anneal_enterprise.licensing.api import license_summary
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.testing import TestSigner
from core import features
from core.plugins import Feature, hookimpl

pytestmark = pytest.mark.django_db
EXPORT = "acme-reports.export"


class VendorPlugin:
    def __init__(self, issuer, declared):
        self.issuer, self.declared = issuer, declared

    @hookimpl
    def anneal_license_issuers(self):
        return [self.issuer]

    @hookimpl
    def anneal_features(self):
        return [Feature(name, f"{name} (licensed by its vendor)", edition="acme") for name in self.declared]


@pytest.fixture
def vendor(anneal_plugin):
    """The plugin ``acme-reports`` with its vendor's (test) key and one licensed feature."""
    signer = TestSigner("acme-test-1")
    anneal_plugin(VendorPlugin(signer.license_issuer("Acme Reports", [EXPORT]), [EXPORT]), name="acme-reports")
    status.reset()
    return signer


@pytest.fixture
def other_vendor(anneal_plugin):
    signer = TestSigner("other-test-1")
    anneal_plugin(VendorPlugin(signer.license_issuer("Other", ["other-plugin.chart"]), ["other-plugin.chart"]),
                  name="other-plugin")
    return signer


def vendor_key(vendor, **claims):
    return vendor.issue(**{"product": "acme-reports", "features": [EXPORT], **claims})


def test_a_vendor_key_unlocks_its_plugins_feature_and_nothing_else(vendor):
    assert not features.has(EXPORT)
    services.install(vendor_key(vendor, license_id="lic_acme"), source="cli")
    assert features.has(EXPORT)
    assert entitlements.state("sso") == "unavailable"  # no Anneal Enterprise license
    (entry,) = license_summary()["licenses"]
    assert (entry["product"], entry["issuer"], entry["license"]["license_id"]) == ("acme-reports", "Acme Reports",
                                                                                    "lic_acme")


CROSSINGS = {
    "plugin key granting an enterprise feature": (
        "vendor", dict(product="acme-reports", features=["sso"]), "feature_out_of_scope",
        "a key of Acme Reports, which may grant only features named acme-reports.<feature>; it claims sso"),
    "plugin key granting another plugin's feature": (
        "vendor", dict(product="acme-reports", features=[EXPORT, "other-plugin.chart"]), "feature_out_of_scope",
        "it claims other-plugin.chart"),
    "plugin key claiming to be Anneal Enterprise": (
        "vendor", dict(product="anneal", features=["sso"]), "other_product",
        "a key of Acme Reports ('acme-reports'), but claims the product 'anneal'"),
    "plugin key claiming another plugin's product": (
        "vendor", dict(product="other-plugin", features=["other-plugin.chart"]), "other_product",
        "claims the product 'other-plugin'; a vendor's key only licenses its own product"),
    "another plugin's key granting this plugin's feature": (
        "other", dict(product="other-plugin", features=[EXPORT]), "feature_out_of_scope",
        "a key of Other, which may grant only features named other-plugin.<feature>; it claims acme-reports.export"),
    "enterprise key granting a plugin's feature": (
        "anneal", dict(features=["sso", EXPORT]), "feature_out_of_scope",
        "a key of Anneal Enterprise, which may grant only audit_log, sso, support; it claims acme-reports.export"),
    "enterprise key claiming a plugin's product": (
        "anneal", dict(product="acme-reports", features=[EXPORT]), "other_product",
        "is for the product 'acme-reports', not for Anneal"),
}


@pytest.mark.parametrize("crossing", sorted(CROSSINGS))
def test_every_crossing_is_refused_with_the_reason(crossing, vendor, other_vendor, signer, captured_events):
    who, claims, code, reason = CROSSINGS[crossing]
    key = {"vendor": vendor, "other": other_vendor, "anneal": signer}[who].issue(**claims)
    with pytest.raises(LicenseRefused) as refused:
        services.install(key, source="cli")
    assert refused.value.code == code and reason in refused.value.message
    assert preview.preview(key).as_json()["refusal"]["code"] == code
    assert not features.has(EXPORT) and not features.has("sso") and not features.has("other-plugin.chart")
    assert [e.data["code"] for e in captured_events if e.type == "license.refused"] == [code]


def test_a_plugin_cannot_take_over_another_issuers_key_id_nor_declare_foreign_features(anneal_plugin, signer, caplog):
    thief = TestSigner("anneal-production-2026")  # the shipped production key's id
    helper = TestSigner(signer.key_id)  # an id the Anneal issuer already has (an extra test key)
    issuer = thief.license_issuer("Thief", ["sso", "thief.x"])
    issuer.public_keys.update(helper.license_issuer("Thief", []).public_keys)
    anneal_plugin(VendorPlugin(issuer, ["thief.x"]), name="thief")
    assert keyring.find("anneal-production-2026")[0].product == "anneal"
    assert keyring.find(signer.key_id)[0].product == "anneal"
    assert keyring.issuers()["thief"].keys == {} and keyring.issuers()["thief"].features == frozenset({"thief.x"})
    assert "declares the licensed feature 'sso' outside its own name" in caplog.text
    with pytest.raises(LicenseRefused) as refused:
        services.install(thief.issue(product="anneal", features=["sso"], license_id="lic_stolen"), source="cli")
    assert refused.value.code == "tampered"  # verified against the real shipped key, it does not match


def test_several_licenses_are_in_force_and_are_installed_and_removed_independently(vendor, signer, captured_events):
    services.install(signer.issue(license_id="lic_anneal", features=["sso"]), source="cli")
    services.install(vendor_key(vendor, license_id="lic_acme_1"), source="cli")
    assert [e["license"]["license_id"] for e in license_summary()["licenses"]] == ["lic_anneal", "lic_acme_1"]
    services.install(vendor_key(vendor, license_id="lic_acme_2"), source="cli")  # replaces only Acme's
    assert [e["license"]["license_id"] for e in license_summary()["licenses"]] == ["lic_anneal", "lic_acme_2"]
    services.remove(source="cli", product="acme-reports")
    status.refresh(force=True)
    assert features.has("sso") and not features.has(EXPORT)
    services.install(vendor_key(vendor, license_id="lic_acme_3"), source="cli")
    services.remove(source="cli")  # Anneal Enterprise's
    status.refresh(force=True)
    assert features.has(EXPORT) and not features.has("sso")
    assert entitlements.state("sso") == "read_only"


def test_the_license_page_and_the_cli_show_every_license_and_remove_one(vendor, signer, client, make_user, capsys):
    services.install(signer.issue(license_id="lic_anneal"), source="cli")
    services.install(vendor_key(vendor, license_id="lic_acme"), source="cli")
    call_command("license", "show")
    out = capsys.readouterr().out
    assert "lic_anneal for Example Corp" in out
    assert "License:   lic_acme for Example Corp from Acme Reports (acme-reports, valid)" in out
    assert f"  {EXPORT}: enabled" in out
    client.force_login(make_user(is_staff=True))
    html = client.get("/plugins/enterprise/license/").content.decode()
    assert 'data-product="acme-reports"' in html and "lic_acme" in html and "Acme Reports" in html
    client.post("/plugins/enterprise/license/", {"action": "remove", "product": "acme-reports"})
    status.refresh(force=True)
    assert [e["product"] for e in license_summary()["licenses"]] == ["anneal"]
    call_command("license", "remove", "--product", "anneal")
    assert license_summary()["licenses"] == []


def test_a_preview_of_a_vendor_key_shows_its_plugins_features(vendor):
    shown = preview.preview(vendor_key(vendor, license_id="lic_acme")).as_json()
    assert shown["installable"] and shown["issuer"] == "Acme Reports" and shown["product"] == "acme-reports"
    assert {f["feature"]: f["change"] for f in shown["features"]} == {EXPORT: "turns_on"}
    assert shown["quotas_exceeded"] == []  # seats and quotas belong to the Anneal Enterprise license
