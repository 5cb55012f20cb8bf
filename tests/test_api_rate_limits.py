"""Token-authenticated API requests are throttled per token and per organization (429 + Retry-After)."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # the shared cache (Redis in services mode) keeps counters between runs
    yield
    cache.clear()


def test_a_token_over_its_rate_gets_429_with_retry_after(settings, make_user, api_client_for):
    settings.ANNEAL_API_RATE_PER_TOKEN = "3/minute"
    client = api_client_for(make_user())
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "throttled" and 0 < int(refused["Retry-After"]) <= 60


def test_the_limit_is_per_token(settings, make_user, api_client_for):
    settings.ANNEAL_API_RATE_PER_TOKEN = "2/minute"
    user = make_user()
    first, second = api_client_for(user), api_client_for(user)
    for _ in range(2):
        first.get("/api/v1/me/")
    assert first.get("/api/v1/me/").status_code == 429
    assert second.get("/api/v1/me/").status_code == 200


def test_all_tokens_together_are_limited_per_organization(settings, organization_roles, api_client_for,
                                                          make_organization):
    settings.ANNEAL_API_RATE_PER_ORGANIZATION = "4/minute"
    organization = organization_roles.organization
    url = f"/api/v1/organizations/{organization.slug}/projects/"
    clients = [api_client_for(organization_roles.user(role)) for role in ("owner", "admin", "member", "viewer")]
    assert [c.get(url).status_code for c in clients] == [200] * 4
    assert clients[0].get(url).status_code == 429
    other = make_organization(owner=organization_roles.owner)
    assert clients[0].get(f"/api/v1/organizations/{other.slug}/projects/").status_code == 200


def test_a_browser_session_is_not_throttled_by_the_token_limits(settings, make_user, client):
    settings.ANNEAL_API_RATE_PER_TOKEN = "1/minute"
    client.force_login(make_user())
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3


def test_an_empty_rate_switches_the_limit_off(settings, make_user, api_client_for):
    settings.ANNEAL_API_RATE_PER_TOKEN = ""
    client = api_client_for(make_user())
    assert all(client.get("/api/v1/me/").status_code == 200 for _ in range(5))


@pytest.mark.services
def test_the_counters_live_in_redis_where_every_web_process_sees_them(settings, make_user, api_client_for):
    import redis

    from core.api import throttling

    settings.ANNEAL_API_RATE_PER_TOKEN = "5/minute"
    client = api_client_for(make_user())
    client.get("/api/v1/me/")
    keys = redis.Redis.from_url(settings.REDIS_URL).keys(f"*{throttling.KEY_PREFIX}:token:*")
    assert len(keys) == 1
