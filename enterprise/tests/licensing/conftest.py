"""Fixtures for the licensing tests: a throwaway signing key and a clean license cache."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from anneal_enterprise.licensing import clock, keyring, sources, status
from anneal_enterprise.licensing.testing import TestSigner
from core.plugins import Feature, Product, ProductLicensing, hookimpl, manager


@pytest.fixture(autouse=True)
def clean_license_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ANNEAL_LICENSE_KEY", raising=False)
    monkeypatch.delenv("ANNEAL_LICENSE_FILE", raising=False)
    status.reset()
    sources.forget()
    clock.set_now(None)
    yield
    clock.set_now(None)
    status.reset()
    sources.forget()


@pytest.fixture
def signer(settings: Any) -> TestSigner:
    """A throwaway key pair whose public half is registered as an extra (test) key."""
    signer = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    return signer


class _DeclaresProduct:
    def __init__(self, declared: Any) -> None:
        self.declared = declared

    @hookimpl
    def anneal_product(self) -> Any:
        return self.declared

    @hookimpl
    def anneal_features(self) -> list[Feature]:
        return [Feature("acme.insights", "Charts of how each team uses Acme Cloud.", edition="enterprise")]


@pytest.fixture
def vendor_product() -> Iterator[Any]:
    """Declare a vendor's product in this process, with licensing signed by throwaway vendor keys.

    ``vendor_product(**licensing)`` returns ``(production_signer, test_signer)``; the product is
    "Acme Cloud" declared by the plugin ``acme``, product id ``acme-cloud``, own feature
    ``acme.insights``. Keyword arguments override the :class:`ProductLicensing` fields; a
    callable value is called with the two signers (``trial=lambda production, test: TrialOffer(...)``).
    """
    registered: list[Any] = []

    def declare(name: str = "acme", **licensing: Any) -> tuple[TestSigner, TestSigner]:
        production, test = TestSigner("acme-production-test-run"), TestSigner("acme-test-test-run")
        fields = dict(product_id="acme-cloud", features=("acme.insights",), public_keys={
            production.key_id: ("production", keyring.public_key_text(production.private_key.public_key())),
            test.key_id: ("test", keyring.public_key_text(test.private_key.public_key())),
        })
        fields.update({name: value(production, test) if callable(value) else value
                       for name, value in licensing.items()})
        plugin = _DeclaresProduct(Product(name="Acme Cloud", short_name="Acme", purchase_url="https://acme.example/buy",
                                          contact_url="mailto:sales@acme.example",
                                          licensing=ProductLicensing(**fields)))
        manager.plugin_manager.register(plugin, name=name)
        manager._state["generation"] += 1
        registered.append(plugin)
        status.reset()
        return production, test

    yield declare
    for plugin in registered:
        manager.plugin_manager.unregister(plugin)
    manager._state["generation"] += 1
    status.reset()
