"""A small cache for computed dashboard data and rendered charts.

Keys always name the scoring run they were computed from (its id and time), so a
new scoring of a window starts fresh and nothing stale is ever served. Values
live in a per-app, in-process LRU by default, or in Redis when
``app.config["NETS_CACHE_URL"]`` (or the ``REDIS_URL`` environment variable) is
set, so that every worker shares them. Only derived, already-suppressed data is
cached; a cached value is returned only to callers whose scope key is part of
the key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

log = logging.getLogger(__name__)
T = TypeVar("T")
_EXT = "nets_cache"
DEFAULT_SIZE = 512
DEFAULT_TTL = 7 * 24 * 3600


class MemoryCache:
    """A thread-safe LRU of at most ``size`` values."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key not in self._data:
                return False, None
            self._data.move_to_end(key)
            return True, self._data[key]

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class RedisCache:
    """Values pickled into Redis under a ``nets:`` prefix, expiring after ``ttl`` seconds."""

    def __init__(self, client, ttl: int = DEFAULT_TTL) -> None:
        self.client = client
        self.ttl = ttl

    def get(self, key: str) -> tuple[bool, Any]:
        raw = self.client.get("nets:" + key)
        if raw is None:
            return False, None
        return True, pickle.loads(raw)  # noqa: S301 (our own values, in our own Redis)

    def set(self, key: str, value: Any) -> None:
        self.client.set("nets:" + key, pickle.dumps(value), ex=self.ttl)

    def clear(self) -> None:
        for key in self.client.scan_iter("nets:*"):
            self.client.delete(key)


def backend() -> MemoryCache | RedisCache:
    """The current app's cache (created on first use)."""
    cache = current_app.extensions.get(_EXT)
    if cache is None:
        url = current_app.config.get("NETS_CACHE_URL") or os.environ.get("REDIS_URL")
        if url:
            import redis

            cache = RedisCache(redis.Redis.from_url(url))
        else:
            cache = MemoryCache(int(current_app.config.get("NETS_CACHE_SIZE", DEFAULT_SIZE)))
        current_app.extensions[_EXT] = cache
    return cache


def make_key(*parts: object) -> str:
    """A short, stable key from any printable parts."""
    text = "|".join(repr(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached(key: str, compute: Callable[[], T]) -> T:
    """Return the cached value for ``key``, computing and storing it on a miss."""
    cache = backend()
    try:
        hit, value = cache.get(key)
    except Exception:  # a cache outage must not take the dashboard down
        log.exception("cache read failed; computing without the cache")
        return compute()
    if hit:
        return value
    value = compute()
    try:
        cache.set(key, value)
    except Exception:
        log.exception("cache write failed")
    return value


def clear() -> None:
    backend().clear()
