"""Sliding-window counters in the Django cache (Redis when distributed, shared by all servers).

Each key counts hits per fixed window; a check weighs in the previous window's count by the
share of it still inside the last `window_s` seconds (Cloudflare's estimate). A plain fixed
window forgets everything when it turns: a burst just before and just after the turn gets
twice the budget, and a guesser who crosses it starts again from zero.

Two uses: counting every hit against a budget (`rate_check`: session creation) and counting
only failures, refusing before the next attempt is even judged (`auth_attempt` and
`auth_succeeded`: merchant credentials and the admin login).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache

from sessions.errors import RateLimited


def _window(window_s: int) -> tuple[int, int]:
    """(start of the current window, seconds until the next one)."""
    now = int(time.time())
    start = now - now % window_s
    return start, max(1, start + window_s - now)


def _recent(counter: str, window_s: int, start: int, current: int) -> float:
    """The estimated hits of the last `window_s` seconds: `current` hits in the window that
    began at `start`, plus the window before's count (key `counter:<its start>`) weighed by
    the share of it still inside the last `window_s` seconds."""
    previous = cache.get(f"{counter}:{start - window_s}") or 0
    weight = min(max(1.0 - (time.time() - start) / window_s, 0.0), 1.0)
    return current + int(previous) * weight


def _count_hit(cache_key: str, window_s: int) -> int:
    """Count one hit in this window's key; kept through the next window, which weighs it in."""
    ttl_s = 2 * window_s + 5
    cache.add(cache_key, 0, timeout=ttl_s)
    try:
        return int(cache.incr(cache_key))
    except ValueError:
        # The key was evicted between add and incr: count this hit as the window's first.
        cache.set(cache_key, 1, timeout=ttl_s)
        return 1


def rate_check(*, key: str, limit: int, window_s: int, message: str) -> None:
    """Count one hit on `key`; raise RateLimited (with Retry-After) past `limit` per window."""
    start, retry_after = _window(window_s)
    current = _count_hit(f"rl:{key}:{start}", window_s)
    if _recent(f"rl:{key}", window_s, start, current) > limit:
        raise RateLimited(message, retry_after=retry_after)


# --- failed sign-ins ----------------------------------------------------------------------
AUTH_THROTTLED = "too many failed sign-ins; retry later"


def client_address(meta: Mapping[str, Any]) -> str:
    """The caller's address: REMOTE_ADDR, or the last entry of LIVENESS_CLIENT_IP_HEADER
    (the one the proxy in front of this server added) when that is configured."""
    header = settings.LIVENESS_CLIENT_IP_HEADER
    if header:
        forwarded = str(meta.get("HTTP_" + header.upper().replace("-", "_"), ""))
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(meta.get("REMOTE_ADDR") or "unknown")


def _auth_keys(*, address: str, credentials: dict[str, str]) -> list[tuple[str, int]]:
    """The counters of one sign-in (names without their window), each with its limit.

    Credentials (api key, username) are counted per address: somebody guessing a merchant's
    or reviewer's password elsewhere never locks the real one out. The address is counted
    across credentials: one source trying many names is stopped too.
    """
    source = _hash(address)
    per_credential = settings.LIVENESS_AUTH_FAILURES_PER_CREDENTIAL
    keys = [
        (f"authfail:{kind}:{_hash(value)}:{source}", per_credential)
        for kind, value in sorted(credentials.items())
        if value
    ]
    keys.append((f"authfail:addr:{source}", settings.LIVENESS_AUTH_FAILURES_PER_ADDRESS))
    return keys


def _hash(value: str) -> str:
    # Secrets (a mistyped api key is still nearly one) never reach the cache in plain text.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def auth_attempt(*, address: str, credentials: dict[str, str]) -> None:
    """Count one sign-in attempt before its credentials are judged; raise RateLimited when
    this address, or these credentials from it, are past their limit in this window.

    Counting first (an atomic increment) bounds parallel guesses too: a burst of requests
    sent at once cannot all pass a check that only later ones would have failed. A refused
    guess tells nothing about whether it was right. `auth_succeeded` takes a good sign-in's
    count back, so only failures use up the limit."""
    window_s = settings.LIVENESS_AUTH_FAILURE_WINDOW_S
    start, _ = _window(window_s)
    counts = [
        (_recent(counter, window_s, start, _count_hit(f"{counter}:{start}", window_s)), limit)
        for counter, limit in _auth_keys(address=address, credentials=credentials)
    ]
    if any(count > limit for count, limit in counts):
        _, retry_after = _window(window_s)
        raise RateLimited(AUTH_THROTTLED, retry_after=retry_after)


def auth_succeeded(*, address: str, credentials: dict[str, str]) -> None:
    start, _ = _window(settings.LIVENESS_AUTH_FAILURE_WINDOW_S)
    for counter, _limit in _auth_keys(address=address, credentials=credentials):
        with contextlib.suppress(ValueError):  # the window turned meanwhile: nothing to undo
            cache.decr(f"{counter}:{start}")
