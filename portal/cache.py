"""A Redis cache that fails open: when Redis cannot be reached, reads miss, writes are skipped and one log
line says so, instead of a 500 on every page that caches something (the map, the filter choices, allauth's
rate limits). Only /healthz reports the broker.

After a failure the cache is not tried again for ``RETRY_AFTER`` seconds, so an unreachable (black-holed) host
does not add a connect timeout to every call. Used when ``CACHE_URL`` (or ``REDIS_URL``) is set.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    RETRY_AFTER = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._down_until = time.monotonic() + self.RETRY_AFTER
            logger.warning(
                "cache unavailable (%s: %s): %s skipped, the cache is bypassed for %.0f s",
                type(exc).__name__,
                exc,
                operation,
                self.RETRY_AFTER,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Callers use add() as a lock or a "first time" check (allauth's rate-limit lock, the used-TOTP-code
        # mark): failing open means proceeding as if the key was new, never blocking everyone.
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError as in every backend; an unreachable cache counts nothing.
        return self._call("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
