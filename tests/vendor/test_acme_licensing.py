"""The example product's licensing: its own keys unlock its own feature, Anneal's do not; its trial.

The example's modules are registered in this process (the branded-instance tests install the
whole distribution with pip). Tests that install keys replace the example's public keys with a
throwaway vendor key made here: the example ships only public keys.
"""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import clear_url_caches

from anneal_enterprise.licensing import clock, keyring, sources, status, trial
from anneal_enterprise.licensing.testing import TestSigner
from core import features
from core.plugins import TrialOffer, hookimpl
from core.plugins.manager import register_plugin, unregister_plugin
from core.testing import contract

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme-product"
TOOL = ROOT / "enterprise" / "tools" / "issue_license.py"
PAGE, API, LICENSE = "/plugins/acme/insights/", "/api/v1/plugins/acme/insights/", "/plugins/enterprise/license/"


class _Product:
    def __init__(self, declared: Any) -> None:
        self.declared = declared

    @hookimpl
    def anneal_product(self) -> Any:
        return self.declared

    @hookimpl
    def anneal_django_apps(self) -> list[str]:
        return ["acme_product"]


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    """``example(vendor=None)`` registers the example (its product and its Insights hooks); with a
    ``TestSigner``, the product's keys and trial grant are that throwaway vendor key's instead."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    for name in [n for n in sys.modules if n.startswith("acme_product")]:
        del sys.modules[name]
    plugin = importlib.import_module("acme_product.plugin")
    insights = importlib.import_module("acme_product.insights")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(EXAMPLE / "acme_product" / "templates")]}]
    registered: list[str] = []
    import core.urls

    def register(vendor: TestSigner | None = None) -> Any:
        declared = plugin.anneal_product()
        if vendor is not None:
            declared = dataclasses.replace(declared, licensing=dataclasses.replace(
                declared.licensing,
                public_keys={vendor.key_id: ("production", keyring.public_key_text(vendor.private_key.public_key()))},
                trial=TrialOffer(grant=vendor.trial_grant(product="acme-cloud", features=["acme.insights", "sso"]),
                                 days=30)))
        register_plugin(_Product(declared), "acme")
        register_plugin(insights, "acme:acme_product.insights")
        registered.extend(["acme:acme_product.insights", "acme"])
        importlib.reload(core.urls)
        clear_url_caches()
        contract.openapi.cache_clear()
        status.reset()
        return declared

    yield register
    for name in registered:
        unregister_plugin(name)
    importlib.reload(core.urls)
    clear_url_caches()
    contract.openapi.cache_clear()
    status.reset()
    sources.forget()
    clock.set_now(None)


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", is_staff=True)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_example_declares_its_product_id_keys_and_feature(example):
    declared = example()
    licensing = declared.licensing
    assert (licensing.product_id, licensing.features, licensing.trust_anneal_keys) == (
        "acme-cloud", ("acme.insights",), False)
    assert {key_id: kind for key_id, (kind, _) in licensing.public_keys.items()} == {
        "acme-production-2026": "production", "acme-test-2026": "test"}
    assert keyring.primary_issuer().product == "acme-cloud"


def test_the_examples_shipped_trial_grant_verifies_with_its_shipped_production_key(example):
    declared = example()
    grant = trial.verify_grant(declared.licensing.trial.grant)
    assert (grant.product, grant.duration_days, grant.key_id, grant.key_kind) == (
        "acme-cloud", 30, "acme-production-2026", "production")
    assert "acme.insights" in grant.features
    assert trial.state()["available"] and trial.state()["days"] == 30


def test_the_example_ships_public_keys_only():
    for path in EXAMPLE.rglob("*"):
        if path.is_file() and path.suffix in {".pem", ".key", ".json", ".license", ".py"}:
            assert "PRIVATE KEY" not in path.read_text(errors="replace"), path


def test_insights_shows_the_vendors_upgrade_message_until_a_vendor_key_is_installed_on_the_license_page(
        example, admin, api_client_for):
    vendor = TestSigner("acme-vendor-test-run")
    example(vendor)
    client = signed_in(admin)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="acme-upgrade"' in page and "Acme Insights comes with Acme Cloud Enterprise" in page
    assert "Insights is part of Acme Cloud Enterprise." in page and 'data-testid="start-trial"' in page
    assert 'href="https://acme.example/buy"' in page
    api = api_client_for(admin)
    assert api.get(API).status_code == 403 and api.get(API).json()["code"] == "feature_unavailable"

    key = vendor.issue(product="acme-cloud", features=["acme.insights"], license_id="lic_acme_web")
    response = client.post(LICENSE, {"action": "install", "key": key}, follow=True)
    assert "License lic_acme_web for Example Corp is installed." in response.content.decode()
    assert features.has("acme.insights")
    assert 'data-testid="insights"' in client.get(PAGE).content.decode()
    assert api.get(API).json() == {"organizations": 0, "projects": 0, "members": 0}


def test_a_key_signed_by_anneal_does_not_unlock_the_examples_feature(example, admin, settings):
    anneal = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = anneal.extra_public_keys()
    example()
    key = anneal.issue(product="acme-cloud", features=["acme.insights"])
    response = signed_in(admin).post(LICENSE, {"action": "install", "key": key}, follow=True)
    assert "a key of Anneal Enterprise, for the product &#x27;acme-cloud&#x27;" in response.content.decode()
    assert not features.has("acme.insights")


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, check=True)


def test_the_vendor_issues_keys_and_a_trial_grant_with_anneals_tool_and_installs_them(example, tmp_path, admin):
    private, public = tmp_path / "acme.key", tmp_path / "acme.pem"
    private.write_text(tool("generate-key", "--public-key-out", str(public)).stdout)
    declared = example()
    own = dataclasses.replace(declared.licensing, public_keys={"acme-guide-key": ("production", public.read_text())})
    unregister_plugin("acme")
    register_plugin(_Product(dataclasses.replace(declared, licensing=own)), "acme")

    grant = tool("--key-id", "acme-guide-key", "--private-key", str(private), "--product", "acme-cloud",
                 "--kind", "trial", "--days", "14", "--seats", "10", "--feature", "acme.insights").stdout
    assert trial.verify_grant(grant).duration_days == 14

    key_file = tmp_path / "customer.license"
    key_file.write_text(tool("--key-id", "acme-guide-key", "--private-key", str(private), "--product", "acme-cloud",
                             "--licensee", "Customer Corp", "--seats", "10", "--feature", "acme.insights").stdout)
    call_command("license", "install", str(key_file))
    assert features.has("acme.insights") and not features.has("sso")
