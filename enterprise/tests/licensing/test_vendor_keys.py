"""A product built on Anneal licenses its edition with its own keys; Anneal's keys do not unlock it."""

from __future__ import annotations

import pytest

from anneal_enterprise.licensing import keyring, services, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey
from core import features

pytestmark = pytest.mark.django_db
API = "/api/v1/plugins/enterprise/license/"


@pytest.fixture
def admin(make_user):
    return make_user(is_staff=True)


def test_a_declared_products_licensing_is_the_primary_issuer_with_its_keys_and_kinds(vendor_product):
    production, test = vendor_product()
    issuer = keyring.primary_issuer()
    assert (issuer.product, issuer.label, issuer.primary) == ("acme-cloud", "Acme Cloud Enterprise", True)
    assert {key_id: key.kind for key_id, key in issuer.keys.items()} == {
        production.key_id: "production", test.key_id: "test"}
    assert issuer.features == {"acme.insights", "sso", "audit_log", "support"}


def test_a_vendor_key_installed_through_the_api_unlocks_the_products_own_feature(vendor_product, api_client_for,
                                                                                 admin):
    production, _ = vendor_product()
    assert not features.has("acme.insights")
    key = production.issue(product="acme-cloud", features=["acme.insights", "sso"], license_id="lic_acme_1")
    response = api_client_for(admin).put(API, {"key": key}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["primary_product"], body["license"]["license_id"], body["key_kind"]) == (
        "acme-cloud", "lic_acme_1", "production")
    assert features.has("acme.insights") and features.has("sso")
    assert not features.has("audit_log")


def test_a_key_signed_by_anneal_for_the_vendors_product_is_refused_naming_both_products(vendor_product, signer):
    vendor_product()
    with pytest.raises(LicenseRefused) as refused:
        services.install(signer.issue(product="acme-cloud", features=["sso"]), source="cli")
    assert refused.value.code == "untrusted_issuer"
    assert "a key of Anneal Enterprise, for the product 'acme-cloud'" in refused.value.message
    assert "this instance runs Acme Cloud Enterprise (product 'acme-cloud')" in refused.value.message
    assert not LicenseKey.objects.exists() and not features.has("sso")


def test_an_anneal_enterprise_license_does_not_unlock_a_vendors_product(vendor_product, signer, api_client_for, admin):
    vendor_product()
    response = api_client_for(admin).put(API, {"key": signer.issue(features=["sso"])}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "untrusted_issuer"
    assert "for the product 'anneal'" in response.json()["detail"]
    assert not features.has("sso")


def test_a_vendor_that_trusts_anneals_keys_accepts_them_for_its_own_product_only(vendor_product, signer):
    vendor_product(trust_anneal_keys=True)
    services.install(signer.issue(product="acme-cloud", features=["acme.insights"], license_id="lic_by_anneal"),
                     source="cli")
    assert features.has("acme.insights")
    with pytest.raises(LicenseRefused, match="is for the product 'anneal'; this instance runs Acme Cloud Enterprise"):
        services.install(signer.issue(features=["sso"]), source="cli")


def test_a_vendor_key_signed_for_another_product_id_is_refused_naming_both(vendor_product):
    _, test = vendor_product()
    with pytest.raises(LicenseRefused) as refused:
        services.install(test.issue(product="zeta-cloud", features=["acme.insights"]), source="cli")
    assert refused.value.code == "other_product"
    assert "a key of Acme Cloud Enterprise ('acme-cloud'), but claims the product 'zeta-cloud'" in refused.value.message


@pytest.mark.parametrize("feature", ["zeta.reports", "webhooks.signing", "anything"])
def test_a_vendor_key_cannot_grant_a_feature_outside_its_product(vendor_product, feature):
    production, _ = vendor_product()
    with pytest.raises(LicenseRefused) as refused:
        services.install(production.issue(product="acme-cloud", features=["acme.insights", feature]), source="cli")
    assert refused.value.code == "feature_out_of_scope"
    assert f"it claims {feature}" in refused.value.message
    assert "only features named acme.<feature> and audit_log, sso, support" in refused.value.message


def test_a_vendor_edition_without_anneal_enterprise_cannot_grant_its_features(vendor_product):
    production, _ = vendor_product(includes_enterprise=False)
    with pytest.raises(LicenseRefused, match="it claims sso"):
        services.install(production.issue(product="acme-cloud", features=["sso"]), source="cli")


def test_a_product_feature_outside_the_plugins_name_is_ignored_and_logged(vendor_product, caplog):
    vendor_product(features=("acme.insights", "insights", "sso"))
    assert keyring.primary_issuer().features == {"acme.insights", "sso", "audit_log", "support"}
    assert "declares the licensed feature 'insights' outside its own name (acme.<feature>)" in caplog.text


def test_a_product_without_a_usable_key_leaves_anneal_enterprise_the_edition(vendor_product, caplog):
    vendor_product(public_keys={"broken": ("production", "not a key")})
    assert keyring.primary_product() == "anneal"
    assert "without a usable public key" in caplog.text


def test_the_installed_vendor_license_stays_after_a_refused_anneal_key(vendor_product, signer):
    production, _ = vendor_product()
    services.install(production.issue(product="acme-cloud", license_id="lic_kept"), source="cli")
    with pytest.raises(LicenseRefused):
        services.install(signer.issue(product="acme-cloud"), source="cli")
    status.refresh(force=True)
    assert status.current().claims.license_id == "lic_kept"
