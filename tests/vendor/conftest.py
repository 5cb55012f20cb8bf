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
def acme(declare: Callable[[str, Any], None], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The example vendor's product (``examples/acme-product``), declared in this process."""
    import importlib
    import sys
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "examples" / "acme-product"))
    for name in [n for n in sys.modules if n.startswith("acme_product")]:
        del sys.modules[name]
    declare("acme", importlib.import_module("acme_product.plugin").anneal_product())
    from core import product

    return product.current()
