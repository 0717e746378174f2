"""Redis is allowed to fail: with the cache pointing at an unreachable Redis, cache reads miss, writes are
skipped with a log line, and the public pages and the login answer 200 (issue 12 point 5)."""

import logging

import pytest
from django.test import override_settings

from portal.cache import FailOpenRedisCache
from tests.conftest import PASSWORD
from tests.portal.test_settings import PRINT, _run

UNREACHABLE = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@override_settings(CACHES=UNREACHABLE)
def test_reads_miss_and_writes_are_skipped_with_a_log_line(caplog):
    from django.core.cache import caches

    backend = caches["default"]
    assert isinstance(backend, FailOpenRedisCache)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert backend.get("key", "fallback") == "fallback"
    assert any("cache unavailable" in record.getMessage() for record in caplog.records)
    backend._down_until = 0  # try again at once: each call fails open on its own
    assert backend.set("key", "value") is None
    backend._down_until = 0
    assert backend.add("key", "value") is True  # as if new: allauth's rate-limit lock does not block everyone
    assert backend.get_many(["a", "b"]) == {}
    assert backend.incr("counter") == 1
    assert backend.delete("key") is False
    assert backend.has_key("key") is False
    assert backend.get_or_set("key", "computed") == "computed"


@override_settings(CACHES=UNREACHABLE)
def test_after_a_failure_the_cache_is_bypassed_for_a_while(monkeypatch):
    from django.core.cache import caches

    backend = caches["default"]
    assert backend.get("key") is None
    calls = []
    monkeypatch.setattr(type(backend).__mro__[1], "get", lambda *args, **kwargs: calls.append(args))
    assert backend.get("key", "x") == "x"
    assert calls == []  # not tried again within RETRY_AFTER


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE)
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/reports/", "/reports/new/", "/reports/map/"])
def test_public_pages_answer_with_redis_down(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE)
def test_login_and_its_rate_limit_work_with_redis_down(client, make_user, settings):
    settings.MFA_REQUIRED_ROLES = []
    make_user(email="user@example.org")
    assert (
        client.post("/accounts/login/", {"login": "user@example.org", "password": "wrong"}).status_code == 200
    )
    response = client.post("/accounts/login/", {"login": "user@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_cache_url_is_separate_from_the_broker():
    result = _run(
        PRINT.format(
            "(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL)"
        ),
        DEBUG="1",
        REDIS_URL="redis://broker.example:6379/0",
        CACHE_URL="redis://cache.example:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        ("portal.cache.FailOpenRedisCache", "redis://cache.example:6379/1", "redis://broker.example:6379/0")
    )
    only_broker = _run(
        PRINT.format("s.CACHES['default']['LOCATION']"), DEBUG="1", REDIS_URL="redis://b:6379/0"
    )
    assert only_broker.stdout.strip() == "redis://b:6379/0"


def test_a_reachable_redis_is_used_normally():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=0.2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the PostGIS + Redis run covers it)")
    reachable = {"default": {**UNREACHABLE["default"], "LOCATION": "redis://127.0.0.1:6379/13"}}
    with override_settings(CACHES=reachable):
        from django.core.cache import caches

        backend = caches["default"]
        backend.set("fail-open-test", {"a": 1}, 30)
        assert backend.get("fail-open-test") == {"a": 1}
        assert backend.add("fail-open-test", "other") is False  # a real add still tells an existing key
        backend.delete("fail-open-test")
