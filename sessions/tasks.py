"""Frame analysis as a Celery task: the heavy half of the pipeline (decode + face mesh).

The task is pure and idempotent: frame in, observation out, sent straight back to the socket
that asked, through the channel layer. A frame is worthless a second later, so the task is
never retried; a stale one is dropped by `expires` before a worker even starts it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import threading
import time
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init, worker_ready
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


@worker_process_init.connect
def _load_model_before_the_first_frame(**kwargs: Any) -> None:
    # Each prefork child builds its own MediaPipe graph now, not on a user's first frame.
    _warm_up()


@worker_ready.connect
def _load_model_in_a_solo_worker(sender: Any = None, **kwargs: Any) -> None:
    # A solo worker runs its tasks in the process that is now ready (prefork children are
    # warmed above; a prefork parent must not build a graph it would fork).
    pool = getattr(sender, "pool", None)
    if pool is not None and type(pool).__module__ == "celery.concurrency.solo":
        _warm_up()


def _warm_up() -> None:
    from workers import antispoof, mesh

    mesh.warm_up()
    antispoof.warm_up()


def analyze_frame_payload(
    image_b64: str, passive: bool = False, hands: bool = False
) -> dict[str, Any]:
    """Decode and analyse one frame (with `passive`, score its face for spoofing too; with
    `hands`, run the hand model too), within
    the frame limits of the settings; the answer is always a JSON-safe dict, never an exception.
    """
    from sessions.engine import frame_limits
    from workers.analysis import FrameError, analyze_image

    started = time.perf_counter()
    try:
        data = base64.b64decode(image_b64, validate=True)
    except (binascii.Error, ValueError):
        return {"ok": False, "code": "bad_base64", "message": "image is not valid base64"}
    try:
        observation = analyze_image(data, frame_limits(), passive=passive, hands=hands)
    except FrameError as exc:
        return {"ok": False, "code": exc.code, "message": exc.message}
    return {
        "ok": True,
        "observation": observation.to_dict(),
        "analysis_ms": round((time.perf_counter() - started) * 1000, 2),
    }


@shared_task(
    name="sessions.analyze_frame",
    ignore_result=True,
    acks_late=False,
    soft_time_limit=5,
    time_limit=10,
)
def analyze_frame(
    reply_channel: str, seq: int, image_b64: str, passive: bool = False, hands: bool = False
) -> None:
    try:
        answer = analyze_frame_payload(image_b64, passive, hands)
    except SoftTimeLimitExceeded:
        answer = {"ok": False, "code": "timeout", "message": "analysis took too long"}
    _reply(reply_channel, {"type": "frame.analyzed", "seq": seq, **answer})


_thread = threading.local()


def _reply(channel: str, message: dict[str, Any]) -> None:
    """Send on the channel layer from this worker thread's own long-lived event loop.

    channels_redis keeps its Redis connections per event loop; `async_to_sync` would run each
    send on a new loop, so every frame would open and close a connection (about 3 ms a frame
    instead of 0.7 here). Worker processes and threads each get their own loop; the embedded
    mode never comes here (it answers through its in-memory layer on the server's own loop).
    """
    loop = getattr(_thread, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread.loop = asyncio.new_event_loop()
    loop.run_until_complete(get_channel_layer().send(channel, message))


# --- webhooks (CONTRACT §6; sessions.webhook_runner says who runs what) ---------------------


@shared_task(
    name="sessions.deliver_webhook",
    ignore_result=True,
    acks_late=False,
    # An attempt bounds itself (LIVENESS_WEBHOOK_TIMEOUT_S); these only catch a bug.
    soft_time_limit=120,
    time_limit=150,
)
def deliver_webhook(delivery_id: str) -> None:
    """One attempt of a delivery; a retry due before the next sweep is enqueued at its time
    (later ones are the sweep's).

    Idempotent: the attempt claims the delivery first, so a copy of this task (the sweep's
    hand-on, a redelivered message) finds it taken, delivered or not yet due and does
    nothing. A worker killed mid-attempt loses nothing: the row stays DELIVERING until its
    lease runs out, then the sweep hands it on.
    """
    from django.conf import settings
    from django.utils import timezone

    from sessions.services.webhooks import webhook_delivery_attempt
    from sessions.webhook_runner import dispatch

    next_at = webhook_delivery_attempt(delivery_id=delivery_id)
    if next_at is not None:
        wait = (next_at - timezone.now()).total_seconds()
        if wait <= settings.LIVENESS_WEBHOOK_SWEEP_S:
            dispatch(delivery_id, countdown=wait)


@shared_task(
    name="sessions.webhooks_sweep",
    ignore_result=True,
    acks_late=False,
    soft_time_limit=60,
    time_limit=90,
    expires=60,
)
def webhooks_sweep() -> None:
    """The periodic job (Celery beat): expire sessions nobody reads, hand on due deliveries."""
    from sessions.webhook_runner import dispatch, sweep

    sweep(dispatch)
