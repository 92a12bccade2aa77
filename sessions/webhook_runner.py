"""Who sends webhook deliveries, and the periodic job, in each mode.

- **Distributed** (`REDIS_URL`): `dispatch` enqueues the Celery task `sessions.deliver_webhook`
  on the `webhooks` queue (its own workers: a slow receiver never holds up frame analysis).
  Celery beat runs `sessions.webhooks_sweep` every `LIVENESS_WEBHOOK_SWEEP_S`, which hands on
  retries when they are due; only a retry due sooner than that is enqueued with a countdown
  (no worker holds hour-long ETA messages).
- **Embedded**: Celery runs tasks eagerly there, which would POST inside the request or socket
  that ended the session. Instead the server process runs one `EmbeddedScheduler` thread
  (started by `glair_clone.asgi`): it sweeps every `LIVENESS_WEBHOOK_SWEEP_S`, or as soon as
  a delivery is due or `dispatch` wakes it, and attempts deliveries on a few threads.

The sweep is the safety net of both: it expires sessions nobody reads (their
`session.expired` events) and hands on every delivery that is due, or whose worker died
holding it (lease run out). Handing one on twice is harmless: attempts claim it first.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from sessions.selectors import webhook_deliveries_due, webhook_next_due
from sessions.services.sessions import sessions_expire_due
from sessions.services.webhooks import webhook_delivery_attempt

log = logging.getLogger(__name__)


def dispatch(delivery_id: str, *, countdown: float = 0) -> None:
    """Hand a delivery to whoever sends them in this mode (after its transaction commits)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        scheduler = EmbeddedScheduler.running
        if scheduler is not None:
            scheduler.wake()
        return
    from sessions.tasks import deliver_webhook

    # A message nobody took in time is dropped: the sweep hands the delivery on again, so a
    # backlog never piles up copies of one delivery.
    expires = max(countdown, 0) + max(60.0, 4 * settings.LIVENESS_WEBHOOK_SWEEP_S)
    deliver_webhook.apply_async(args=[delivery_id], countdown=max(countdown, 0), expires=expires)


def sweep(hand_on: Callable[[str], None]) -> int:
    """The periodic job: expire due sessions, then hand on every due delivery; how many."""
    sessions_expire_due()
    due = webhook_deliveries_due(now=timezone.now())
    for delivery_id in due:
        hand_on(delivery_id)
    return len(due)


def attempt_and_reschedule(delivery_id: str) -> datetime | None:
    """One attempt in a thread of the embedded server, with Django's per-thread connection
    hygiene around it. The sweep picks up the retry at its time."""
    close_old_connections()
    try:
        return webhook_delivery_attempt(delivery_id=delivery_id)
    except Exception:
        log.exception("webhook delivery %s: attempt failed", delivery_id)
        return None
    finally:
        close_old_connections()


class EmbeddedScheduler:
    """The embedded mode's periodic job and delivery threads, one per server process.

    Every thread is a daemon: a server that stops is never held up by a receiver that is slow
    to answer (a ThreadPoolExecutor's threads would be joined at exit, after every queued
    attempt). An attempt cut short that way is the lease's business: its delivery is taken
    over once the lease runs out, after the restart. `stop()` ends the threads in order.
    """

    running: EmbeddedScheduler | None = None
    _start_lock = threading.Lock()

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._work: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, name="webhook-sweep", daemon=True)]
        self._threads += [
            threading.Thread(target=self._deliver, name=f"webhook-{i}", daemon=True)
            for i in range(settings.LIVENESS_WEBHOOK_EMBEDDED_THREADS)
        ]

    @classmethod
    def start(cls) -> EmbeddedScheduler | None:
        """Start it once in this process (embedded mode, unless turned off); idempotent."""
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            return None
        if not settings.LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER:
            return None
        with cls._start_lock:
            if cls.running is None:
                scheduler = cls()
                for thread in scheduler._threads:
                    thread.start()
                cls.running = scheduler
            return cls.running

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the sweep and the delivery threads (queued attempts are dropped: the next
        sweep, here or after a restart, finds them again); wait for them up to `timeout`."""
        with self._start_lock:
            if EmbeddedScheduler.running is self:
                EmbeddedScheduler.running = None
        self._stopping.set()
        self._wake.set()
        for _ in self._threads[1:]:
            self._work.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0))

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                # Cleared before the sweep, not after the wait: a wake() that comes while
                # the sweep runs is kept for the next round instead of lost.
                self._wake.clear()
                wait = settings.LIVENESS_WEBHOOK_SWEEP_S
                close_old_connections()
                try:
                    sweep(self._submit)
                    next_due = webhook_next_due()
                except Exception:
                    log.exception("webhook sweep failed; trying again later")
                    next_due = None
                finally:
                    close_old_connections()
                if next_due is not None:
                    wait = min(wait, max((next_due - timezone.now()).total_seconds(), 0.5))
                self._wake.wait(timeout=wait)
        finally:
            connections.close_all()

    def _submit(self, delivery_id: str) -> None:
        with self._lock:
            if delivery_id in self._queued:
                return  # already waiting for a thread
            self._queued.add(delivery_id)
        self._work.put(delivery_id)

    def _deliver(self) -> None:
        try:
            while (delivery_id := self._work.get()) is not None:
                if self._stopping.is_set():
                    break
                with self._lock:
                    self._queued.discard(delivery_id)
                if attempt_and_reschedule(delivery_id) is not None:
                    self.wake()  # a retry is now scheduled: let the loop wait until it is due
        finally:
            connections.close_all()
