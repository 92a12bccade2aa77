"""How loaded the service is: the live runs in progress, across every server process.

A run is *active* from the user's Start to the end of its socket. Past
`LIVENESS_MAX_ACTIVE_SESSIONS` active runs (measured with `bench/capacity.py` for the deployment)
the service is busy: a new run is not admitted and its page says so and tries again by itself,
so the runs already in progress keep their round-trip target. A run that had started before a
reconnect is always readmitted: it is already part of the load.

Distributed, the register is a Redis sorted set shared by every ASGI server (member: the
socket's channel name, score: when it was last seen). Each socket refreshes its entry while
frames flow, so the entries of a server that died age out after `STALE_S` instead of holding
capacity forever. Embedded, it is a dict of this one process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

STALE_S = 30.0  # an entry not refreshed for this long belongs to a socket that is gone
REFRESH_S = 5.0  # how often a socket refreshes its entry
_KEY = "liveness:active-runs"
_QUEUE = "celery"  # the Celery queue the frames wait in (kombu's Redis list)


@dataclass(frozen=True)
class Load:
    active: int
    capacity: int  # 0: no limit
    queued_frames: int | None  # frames waiting for a worker; None when not distributed

    @property
    def busy(self) -> bool:
        return 0 < self.capacity <= self.active

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "busy" if self.busy else "ok",
            "accepting_sessions": not self.busy,
            "active_sessions": self.active,
            "max_active_sessions": self.capacity or None,
            "load": round(self.active / self.capacity, 3) if self.capacity else None,
            "queued_frames": self.queued_frames,
            "retry_after_s": settings.LIVENESS_BUSY_RETRY_S if self.busy else 0,
        }


class _Register:
    """The active runs: add, refresh, remove, count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: dict[str, float] = {}
        self._redis: Any = None

    def _client(self) -> Any:
        if not settings.REDIS_URL:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
            )
        return self._redis

    def admit(self, member: str, *, capacity: int, force: bool = False) -> bool:
        """Register `member` if there is room (or `force`); False when the service is busy."""
        now = time.time()
        client = self._client()
        if client is None:
            with self._lock:
                self._drop_stale_local(now)
                if not force and 0 < capacity <= len(self._local) and member not in self._local:
                    return False
                self._local[member] = now
                return True
        # Count and add in one round trip: two servers admitting at once may overshoot by the
        # few runs that raced, never by more.
        pipe = client.pipeline()
        pipe.zremrangebyscore(_KEY, "-inf", now - STALE_S)
        pipe.zcard(_KEY)
        pipe.zscore(_KEY, member)
        _, count, present = pipe.execute()
        if not force and present is None and 0 < capacity <= count:
            return False
        client.zadd(_KEY, {member: now})
        return True

    def refresh(self, member: str) -> None:
        """Mark `member` (an admitted run) seen now, adding it back if its entry was lost."""
        now = time.time()
        client = self._client()
        if client is None:
            with self._lock:
                self._local[member] = now
            return
        # A plain ZADD: an entry lost meanwhile (a Redis restart, a long pause) comes back.
        client.zadd(_KEY, {member: now})

    def remove(self, member: str) -> None:
        client = self._client()
        if client is None:
            with self._lock:
                self._local.pop(member, None)
            return
        client.zrem(_KEY, member)

    def count(self) -> int:
        now = time.time()
        client = self._client()
        if client is None:
            with self._lock:
                self._drop_stale_local(now)
                return len(self._local)
        pipe = client.pipeline()
        pipe.zremrangebyscore(_KEY, "-inf", now - STALE_S)
        pipe.zcard(_KEY)
        return int(pipe.execute()[1])

    def queued(self) -> int | None:
        client = self._client()
        if client is None:
            return None
        return int(client.llen(_QUEUE))

    def _drop_stale_local(self, now: float) -> None:
        for member in [m for m, seen in self._local.items() if seen < now - STALE_S]:
            del self._local[member]


_register = _Register()


def run_admit(*, member: str, resumed: bool) -> bool:
    """Count a run that starts (or resumes) as active; False when the service is busy and the
    run must wait. A resumed run (started before this connection) is always admitted."""
    return _register.admit(member, capacity=settings.LIVENESS_MAX_ACTIVE_SESSIONS, force=resumed)


def run_refresh(*, member: str) -> None:
    _register.refresh(member)


def run_release(*, member: str) -> None:
    _register.remove(member)


def load_current() -> Load:
    return Load(
        active=_register.count(),
        capacity=settings.LIVENESS_MAX_ACTIVE_SESSIONS,
        queued_frames=_register.queued(),
    )
