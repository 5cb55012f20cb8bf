"""The seam for a product built on Anneal: a registered primary issuer's license is the edition's
license (seats, quotas, the License page's main license) with no change to verification or storage."""

from __future__ import annotations

import pytest

from anneal_enterprise.licensing import keyring, services, status
from anneal_enterprise.licensing.api import license_summary
from anneal_enterprise.licensing.claims import FEATURES
from anneal_enterprise.licensing.testing import TestSigner
from core import features
from core.services import invitations
from core.services.errors import PolicyRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_edition():
    vendor = TestSigner("acme-edition-test-1")
    public = keyring.load_public_key(vendor.extra_public_keys()[vendor.key_id])

    def source():
        return [keyring.Issuer("acme-edition", "Acme Edition",
                               {vendor.key_id: keyring.PublicKey(vendor.key_id, "test", public, shipped=True,
                                                                 product="acme-edition")},
                               frozenset(FEATURES), primary=True)]

    keyring.add_issuer_source(source)
    status.reset()
    yield vendor
    keyring.remove_issuer_source(source)
    status.reset()


def test_a_primary_issuers_license_sets_the_edition_seats_and_features(acme_edition, signer, make_organization,
                                                                       make_member):
    organization = make_organization()
    make_member(organization)
    services.install(acme_edition.issue(product="acme-edition", license_id="lic_acme_edition", seats=1,
                                        features=["sso"]), source="cli")
    services.install(signer.issue(license_id="lic_anneal_too", seats=100), source="cli")
    summary = license_summary()
    assert summary["primary_product"] == "acme-edition"
    assert summary["license"]["license_id"] == "lic_acme_edition"
    assert [e["license"]["license_id"] for e in summary["licenses"]] == ["lic_acme_edition", "lic_anneal_too"]
    assert features.has("sso")
    with pytest.raises(PolicyRefused, match="The license allows 1 seats"):  # the edition's seats, not Anneal's
        invitations.invite(organization, "new@example.com", "member", None)
    services.remove(source="cli")  # the primary license by default
    status.refresh(force=True)
    assert [e["product"] for e in license_summary()["licenses"]] == ["anneal"]
