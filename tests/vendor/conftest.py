"""``declare(name, product)``: a plugin that declares ``product`` through ``anneal_product``, for one test."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from core.plugins import hookimpl


class _Declares:
    def __init__(self, declared: Any) -> None:
        self.declared = declared

    @hookimpl
    def anneal_product(self) -> Any:
        return self.declared


@pytest.fixture
def declare(anneal_plugin: Callable[..., Any]) -> Callable[[str, Any], None]:
    def _declare(name: str, declared: Any) -> None:
        anneal_plugin(_Declares(declared), name=name)

    return _declare


@pytest.fixture
def acme(declare: Callable[[str, Any], None]) -> Any:
    """The example vendor's product (``examples/acme-product``), declared in this process."""
    import importlib.util
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "examples" / "acme-product" / "acme_product" / "plugin.py"
    spec = importlib.util.spec_from_file_location("_acme_product_plugin", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    declare("acme", module.anneal_product())
    from core import product

    return product.current()
