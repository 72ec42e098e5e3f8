"""The API throttle (its own module: DRF imports it while it loads its views)."""

import time

from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's per-user rate (``API_RATE``). With the Redis cache it counts in fixed windows
    with one round trip (INCR and EXPIRE in a pipeline) instead of reading and rewriting
    the user's whole request history on every request; other caches keep DRF's sliding
    window."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        from django.core.cache import caches
        from django.core.cache.backends.redis import RedisCache

        cache = caches["default"]
        if not isinstance(cache, RedisCache):
            return super().allow_request(request, view)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = cache.make_and_validate_key(f"{key}:{window}")
        pipe = cache._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, self.duration + 1)
        count, _ok = pipe.execute()
        self.window_ends = (window + 1) * self.duration
        return count <= self.num_requests

    def wait(self):
        if hasattr(self, "window_ends"):
            return max(self.window_ends - time.time(), 0)
        return super().wait()
