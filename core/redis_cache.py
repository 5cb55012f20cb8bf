"""Django's Redis cache, with one ``redis.Redis`` client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation;
building one registers its response callbacks, about 300 Python calls, so the two API rate limits
(a read and a write each) cost a token-authenticated request about 1,200 calls on top of the four
round trips (docs/benchmarks.md). A ``redis.Redis`` is safe to share between threads (each command
takes a connection from the pool), and the pool already notices a fork, so one client per pool
is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """``CACHES["default"]["BACKEND"] = "core.redis_cache.SharedClientRedisCache"``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
