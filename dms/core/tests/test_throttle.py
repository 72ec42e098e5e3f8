"""The per-user API rate, with the Redis cache production uses (one INCR per request in
fixed windows) and with the others (DRF's sliding window)."""

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.settings import api_settings

from dms.core.testing.factories import bearer

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/14", "KEY_PREFIX": "throttle-test"}}


@pytest.fixture
def three_per_minute(monkeypatch):
    from dms.core.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/min"})


@pytest.mark.parametrize("cache_settings", [REDIS, None], ids=["redis", "locmem"])
@pytest.mark.django_db
def test_fourth_request_in_a_minute_is_throttled(client, dist_admin, three_per_minute, cache_settings, monkeypatch):
    if cache_settings is REDIS:  # the counting must not fall back to DRF's history list
        from rest_framework import throttling

        monkeypatch.setattr(throttling.SimpleRateThrottle, "allow_request", None)
    headers = bearer(dist_admin)
    with override_settings(**({"CACHES": cache_settings} if cache_settings else {})):
        caches["default"].clear()
        answers = [client.get("/api/v1/me/", **headers) for _ in range(4)]
        caches["default"].clear()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["error"]["code"] == "throttled"
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60
