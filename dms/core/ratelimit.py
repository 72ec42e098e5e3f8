"""A fixed-window counter in the shared cache (the database cache by default, Redis in
production), so the limit holds across processes."""

import time

from django.core.cache import cache


def allow(key: str, limit: int, period_seconds: int) -> bool:
    """Count one hit for ``key``; False once more than ``limit`` hits fall in the window."""
    window_key = f"rl:{key}:{int(time.time() // period_seconds)}"
    if cache.add(window_key, 1, period_seconds):
        return True
    try:
        return cache.incr(window_key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(window_key, 1, period_seconds)
        return True
