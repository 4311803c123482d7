"""The dashboard cache: an LRU in memory, or Redis when configured; failures fall back."""

from __future__ import annotations

from nets_app.services.cache import MemoryCache, RedisCache, cached, make_key


def test_memory_cache_evicts_the_least_recently_used():
    c = MemoryCache(size=2)
    c.set("a", 1)
    c.set("b", 2)
    assert c.get("a") == (True, 1)
    c.set("c", 3)
    assert c.get("b") == (False, None)
    assert c.get("a") == (True, 1) and c.get("c") == (True, 3)


class FakeRedis:
    def __init__(self):
        self.data, self.ttl = {}, {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self.data[key], self.ttl[key] = value, ex

    def scan_iter(self, pattern):
        return [k for k in list(self.data) if k.startswith(pattern.rstrip("*"))]

    def delete(self, key):
        self.data.pop(key, None)


def test_redis_cache_round_trips_values_with_an_expiry():
    fake = FakeRedis()
    c = RedisCache(fake, ttl=60)
    c.set("k", {"rows": (1, 2)})
    assert c.get("k") == (True, {"rows": (1, 2)})
    assert fake.ttl == {"nets:k": 60}
    c.clear()
    assert c.get("k") == (False, None)


def test_a_broken_cache_never_breaks_the_page(app, monkeypatch):
    class Broken:
        def get(self, key):
            raise ConnectionError("redis down")

        def set(self, key, value):
            raise ConnectionError("redis down")

    app.extensions["nets_cache"] = Broken()
    try:
        assert cached("x", lambda: 42) == 42
    finally:
        del app.extensions["nets_cache"]


def test_keys_differ_when_any_part_differs():
    assert make_key("national", 1, (5, "t")) != make_key("national", 1, (6, "t"))
    assert make_key("a", 1) == make_key("a", 1)
