"""Fixed-window counters in the Django cache (Redis when distributed, shared by all servers)."""

from __future__ import annotations

import time

from django.core.cache import cache

from sessions.errors import RateLimited


def rate_check(*, key: str, limit: int, window_s: int, message: str) -> None:
    """Count one hit on `key`; raise RateLimited (with Retry-After) past `limit` per window."""
    now = int(time.time())
    window_start = now - now % window_s
    cache_key = f"rl:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window_s + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key was evicted between add and incr: count this hit as the window's first.
        cache.set(cache_key, 1, timeout=window_s + 5)
        count = 1
    if count > limit:
        raise RateLimited(message, retry_after=max(1, window_start + window_s - now))
