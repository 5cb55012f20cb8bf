"""``core.shared_cache``: a process cache that follows changes made anywhere, and never a rolled-back one."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.models import SharedVersion
from core.shared_cache import SharedCache, expire_poll

pytestmark = pytest.mark.django_db(transaction=True)


class Loads:
    def __init__(self) -> None:
        self.value, self.calls = "first", 0

    def __call__(self) -> str:
        self.calls += 1
        return self.value


def test_the_value_is_loaded_once_and_again_after_a_change():
    loader = Loads()
    cache = SharedCache("test-once", loader)
    assert cache.get() == "first" and cache.get() == "first"
    assert loader.calls == 1
    with transaction.atomic():
        loader.value = "second"
        cache.changed()
        assert cache.get() == "second"  # the changing transaction sees its own change
    assert cache.get() == "second"
    assert SharedVersion.objects.filter(name="test-once").exists()


def test_a_rolled_back_change_leaves_the_cache_caching():
    loader = Loads()
    cache = SharedCache("test-rollback", loader)
    cache.get()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            cache.changed()
            raise RuntimeError("the change fails")
    calls = loader.calls
    with transaction.atomic():  # a later, unrelated transaction: loaded once, then served from the cache
        for _ in range(5):
            cache.get()
    assert loader.calls == calls + 1


def test_another_process_change_is_seen_after_the_poll():
    loader = Loads()
    cache = SharedCache("test-elsewhere", loader)
    cache.get()
    SharedVersion.objects.update_or_create(name="test-elsewhere", defaults={"version": 12345})  # as another process
    loader.value = "theirs"
    expire_poll()
    assert cache.get() == "theirs"
