"""A plugin hands its URL patterns over as a module path (hook API 1.2), a list, or both."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any, Iterator

import pytest
from django.http import HttpResponse
from django.urls import clear_url_caches, path, reverse

from core.plugins import failures, hookimpl

pytestmark = pytest.mark.django_db


def _page(text: str) -> Any:
    def view(request: Any) -> HttpResponse:
        return HttpResponse(text)
    return view


@pytest.fixture
def url_modules() -> Iterator[None]:
    """Two importable URL modules and one without ``urlpatterns``."""
    pages = types.ModuleType("byname_pages")
    pages.urlpatterns = [path("", _page("by module path"), name="index")]
    more = types.ModuleType("byname_more")
    more.urlpatterns = [path("more/", _page("from the second module"), name="more")]
    empty = types.ModuleType("byname_empty")
    sys.modules.update({"byname_pages": pages, "byname_more": more, "byname_empty": empty})
    failures.forget()
    yield
    for name in ("byname_pages", "byname_more", "byname_empty"):
        sys.modules.pop(name, None)
    failures.forget()


def _rebuild() -> None:
    import core.urls

    importlib.reload(core.urls)
    clear_url_caches()


@pytest.fixture(autouse=True)
def _urls_without_the_test_plugins() -> Iterator[None]:
    """Set up before (so torn down after) the test's plugins: the URLs are rebuilt once they are gone."""
    yield
    _rebuild()


@pytest.fixture
def rebuilt_urls() -> Any:
    """Call the returned function after registering plugins: the URL configuration is built again."""
    return _rebuild


class ByModulePath:
    @hookimpl
    def anneal_urlpatterns(self) -> str:
        return "byname_pages"


class Mixed:
    @hookimpl
    def anneal_urlpatterns(self) -> list[Any]:
        return ["byname_more", path("inline/", _page("inline pattern"), name="inline")]


class BrokenModule:
    @hookimpl
    def anneal_urlpatterns(self) -> list[str]:
        return ["byname_missing_module", "byname_empty"]


class Listed:
    @hookimpl
    def anneal_urlpatterns(self) -> list[Any]:
        return [path("", _page("plain list"), name="index")]


def test_a_module_path_mounts_that_modules_urlpatterns(anneal_plugin, url_modules, rebuilt_urls, client):
    anneal_plugin(ByModulePath(), name="byname")
    rebuilt_urls()
    assert reverse("byname:index") == "/plugins/byname/"
    assert client.get("/plugins/byname/").content == b"by module path"


def test_module_paths_and_patterns_can_be_mixed(anneal_plugin, url_modules, rebuilt_urls, client):
    anneal_plugin(Mixed(), name="mixed")
    rebuilt_urls()
    assert client.get(reverse("mixed:more")).content == b"from the second module"
    assert client.get(reverse("mixed:inline")).content == b"inline pattern"


def test_a_module_that_cannot_be_read_fails_only_its_plugin(anneal_plugin, url_modules, rebuilt_urls, client,
                                                           caplog):
    anneal_plugin(BrokenModule(), name="broken-urls")
    anneal_plugin(Listed(), name="listed")
    rebuilt_urls()
    assert client.get("/plugins/listed/").content == b"plain list"  # the others still mount
    assert client.get("/plugins/broken-urls/").status_code == 404
    recorded = {(f.plugin, f.hook): f for f in failures.in_this_process()}
    failure = recorded[("broken-urls", "anneal_urlpatterns")]
    assert failure.count == 2
    assert "LookupError: The module byname_empty has no urlpatterns list." in failure.last_error
    assert "cannot read the URL patterns of byname_missing_module" in caplog.text


def test_the_example_plugins_register_their_routes_by_module_path():
    from anneal_prompts import hooks as prompts
    from anneal_webhooks import hooks as webhooks

    assert prompts.anneal_urlpatterns() == "anneal_prompts.web"
    assert webhooks.anneal_api_urlpatterns() == "anneal_webhooks.api"
    assert reverse("prompts:index", args=["acme"]) == "/plugins/prompts/o/acme/"
