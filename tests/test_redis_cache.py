"""The Redis cache keeps one client per connection pool: what the rate limits cost per request."""

from __future__ import annotations

import multiprocessing

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from core.redis_cache import SharedClientRedisCache
from core.testing.request_cost import count_calls

pytestmark = pytest.mark.services

def test_the_cache_builds_one_redis_client_per_connection_pool_not_one_per_call():
    backend = caches["default"]
    assert isinstance(backend, SharedClientRedisCache)
    cache.set("anneal:test:shared-client", [1.0], 30)
    assert backend._cache.get_client() is backend._cache.get_client(write=True)
    assert cache.get("anneal:test:shared-client") == [1.0]

def test_a_cache_read_costs_a_third_of_django_s_own_redis_cache(settings):
    location = settings.CACHES["default"]["LOCATION"]
    plain = RedisCache(location, {})
    shared = SharedClientRedisCache(location, {})
    for backend in (plain, shared):
        backend.set("anneal:test:cost", [1.0, 2.0], 30)
        backend.get("anneal:test:cost")
    plain_calls = count_calls(lambda: plain.get("anneal:test:cost"))
    shared_calls = count_calls(lambda: shared.get("anneal:test:cost"))
    assert shared.get("anneal:test:cost") == [1.0, 2.0]
    assert shared_calls * 2 < plain_calls, (shared_calls, plain_calls)

def test_a_client_made_before_a_fork_still_works_in_both_processes(settings):
    """gunicorn forks its workers after the settings are read: each worker must get its own
    connections from the shared client, not the parent's socket."""
    location = settings.CACHES["default"]["LOCATION"]
    shared = SharedClientRedisCache(location, {})
    shared.set("anneal:test:forked", "before the fork", 30)
    child = multiprocessing.get_context("fork").Process(target=lambda: shared.set("anneal:test:forked",
                                                                                   "from the child", 30))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert shared.get("anneal:test:forked") == "from the child"
