"""Identifiers: time-ordered session ids (UUIDv7) and unguessable tokens."""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_rand_a = 0


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7, monotonic within this process.

    1. 48-bit Unix time in ms, 4-bit version, 12-bit rand_a, 2-bit variant, 62-bit rand_b.
    2. Within one millisecond rand_a is incremented so ids made in this process still sort
       in creation order; across processes order is by millisecond.
    """
    global _last_ms, _last_rand_a
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            rand_a = _last_rand_a + 1
            if rand_a > 0xFFF:
                now_ms += 1
                rand_a = secrets.randbits(11)
        else:
            rand_a = secrets.randbits(11)
        _last_ms, _last_rand_a = now_ms, rand_a
    rand_b = secrets.randbits(62)
    value = (now_ms & 0xFFFFFFFFFFFF) << 80
    value |= 0x7 << 76
    value |= rand_a << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def page_token() -> str:
    """256 random bits, URL-safe: the bearer credential of a session's page."""
    return secrets.token_urlsafe(32)


def webhook_secret() -> str:
    """A merchant's webhook signing secret: 256 random bits, recognisable by its prefix."""
    return "whsec_" + secrets.token_urlsafe(32)


def parse_sid(value: object) -> uuid.UUID | None:
    """A sid from the outside world, or None when it cannot be one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
