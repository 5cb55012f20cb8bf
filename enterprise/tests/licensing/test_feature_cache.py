"""Feature answers are cached per process and follow every license change.

The licensed path answers from the core's process cache (``core.features``); these tests prove
the cache never outlives what it caches: a license installed or removed here or in another
process, the start or end of a license's validity window, and a change of the plugin set.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from anneal_enterprise.licensing import services, status
from core import features
from core.plugins import hookimpl

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(make_organization: Any) -> Any:
    return make_organization()


@pytest.fixture
def grants_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of the license's entitlement check (the hook behind ``features.has``)."""
    calls: list[str] = []
    real = status.grants

    def counting(feature: str) -> bool:
        calls.append(feature)
        return real(feature)

    monkeypatch.setattr(status, "grants", counting)
    return calls


def test_a_licensed_answer_is_computed_once_then_served_from_the_process_cache(signer, grants_calls, organization):
    services.install(signer.issue(features=["sso"]), source="cli")
    grants_calls.clear()

    answers = {features.has("sso", organization) for _ in range(100)}

    assert answers == {True}
    assert grants_calls == ["sso"]


def test_installing_and_removing_a_license_in_this_process_changes_the_answer_at_once(signer, organization):
    assert features.has("audit_log", organization) is False

    services.install(signer.issue(features=["audit_log"]), source="cli")
    assert features.has("audit_log", organization) is True

    services.remove(source="cli")
    assert features.has("audit_log", organization) is False


def test_a_license_installed_by_another_process_is_followed_at_the_next_version_check(
        signer, organization, monkeypatch):
    assert features.has("sso") is False
    with monkeypatch.context() as other_process:  # the change happens elsewhere: nobody here is told
        other_process.setattr(status, "invalidate", lambda: None)
        other_process.setattr(features, "invalidate", lambda: None)
        services.install(signer.issue(features=["sso"]), source="cli")

    assert features.has("sso") is False  # still within this process's version check interval
    monkeypatch.setattr(status, "REFRESH_SECONDS", 0.05)
    time.sleep(1.1)  # the interval that was declared when the answer was cached (1 s) has passed
    assert features.has("sso") is True


def test_a_license_removed_by_another_process_stops_granting_at_the_next_version_check(signer, monkeypatch):
    services.install(signer.issue(features=["sso"]), source="cli")
    assert features.has("sso") is True
    with monkeypatch.context() as other_process:
        other_process.setattr(status, "invalidate", lambda: None)
        other_process.setattr(features, "invalidate", lambda: None)
        services.remove(source="cli")

    time.sleep(1.1)
    assert features.has("sso") is False


def test_the_cache_ends_when_the_license_validity_window_ends(signer, monkeypatch):
    monkeypatch.setattr(status, "REFRESH_SECONDS", 3600.0)  # only the window can end the cached answer
    ends = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    services.install(signer.issue(features=["sso"], expires_at=ends, grace_days=0), source="cli")
    assert features.has("sso") is True
    assert 0 < status.answers_valid_for() <= 2.0

    time.sleep(max(0.0, (ends - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    assert features.has("sso") is False


def test_a_plugin_registered_later_decides_at_once(signer, anneal_plugin, organization):
    services.install(signer.issue(features=["sso"]), source="cli")
    assert features.has("sso", organization) is True

    class Veto:
        @hookimpl(tryfirst=True)
        def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
            return False if name == "sso" else None

    anneal_plugin(Veto(), name="veto")
    assert features.has("sso", organization) is False


def test_a_plugin_that_declares_no_lifetime_is_asked_again_on_every_request(signer, anneal_plugin):
    services.install(signer.issue(features=["sso"]), source="cli")
    answers = iter([True, False])

    class Changing:
        @hookimpl(tryfirst=True)
        def anneal_feature_enabled(self, name: str) -> bool | None:
            return next(answers) if name == "sso" else None

    anneal_plugin(Changing(), name="changing")
    assert features.answers_lifetime() == 0
    with features.request_cache():
        assert features.has("sso") is True
        assert features.has("sso") is True  # the request keeps its answer
    with features.request_cache():
        assert features.has("sso") is False  # the next request asks again
