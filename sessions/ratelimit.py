"""Fixed-window counters in the Django cache (Redis when distributed, shared by all servers).

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


def _count_hit(cache_key: str, window_s: int) -> int:
    cache.add(cache_key, 0, timeout=window_s + 5)
    try:
        return int(cache.incr(cache_key))
    except ValueError:
        # The key was evicted between add and incr: count this hit as the window's first.
        cache.set(cache_key, 1, timeout=window_s + 5)
        return 1


def rate_check(*, key: str, limit: int, window_s: int, message: str) -> None:
    """Count one hit on `key`; raise RateLimited (with Retry-After) past `limit` per window."""
    start, retry_after = _window(window_s)
    if _count_hit(f"rl:{key}:{start}", window_s) > limit:
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
    """The counters of one sign-in (this window's cache keys), each with its limit.

    Credentials (api key, username) are counted per address: somebody guessing a merchant's
    or reviewer's password elsewhere never locks the real one out. The address is counted
    across credentials: one source trying many names is stopped too.
    """
    start, _ = _window(settings.LIVENESS_AUTH_FAILURE_WINDOW_S)
    source = _hash(address)
    per_credential = settings.LIVENESS_AUTH_FAILURES_PER_CREDENTIAL
    keys = [
        (f"authfail:{kind}:{_hash(value)}:{source}:{start}", per_credential)
        for kind, value in sorted(credentials.items())
        if value
    ]
    keys.append((f"authfail:addr:{source}:{start}", settings.LIVENESS_AUTH_FAILURES_PER_ADDRESS))
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
    counts = [
        (_count_hit(key, window_s), limit)
        for key, limit in _auth_keys(address=address, credentials=credentials)
    ]
    if any(count > limit for count, limit in counts):
        _, retry_after = _window(window_s)
        raise RateLimited(AUTH_THROTTLED, retry_after=retry_after)


def auth_succeeded(*, address: str, credentials: dict[str, str]) -> None:
    for key, _limit in _auth_keys(address=address, credentials=credentials):
        with contextlib.suppress(ValueError):  # the window turned meanwhile: nothing to undo
            cache.decr(key)
