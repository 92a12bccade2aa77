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
