"""GLAIR's single-image passive liveness (CONTRACT section 5): one photo in, a spoof verdict out.

GLAIR's answer is `{"status": "success" | "failed", "result": {"spoof_percentage", "status"}}`.
Its documentation answers `success` for every photo it could judge, HIGH included (its samples
for HIGH, MODERATE and LOW all say `success`), so here too:

- `success`: exactly one face was found and judged; `result.status` is the verdict, LOW = live,
  MODERATE = doubtful, HIGH = a suspected spoof (a printed photo, a screen replay). A merchant
  must read `result.status`, not the top-level status, to know whether the face is live.
- `failed`: nothing could be judged: `result.status` is `face not detected` or `too many faces
  detected` (GLAIR's strings), and `spoof_percentage` is 1.0: no evidence is no proof of life,
  so a merchant who compares the figure with a threshold never takes such a photo for live.

A file that is not a bounded JPEG, PNG or WebP image is refused with an error, not answered.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TypedDict

from django.conf import settings

from gestures import codes
from gestures.passive import passive_status
from gestures.vocabulary import PassiveOutcome, VerdictStatus
from sessions.engine import engine_config
from sessions.errors import InvalidInput, LivenessError
from workers.analysis import analyze_rgb
from workers.decode import FrameError, Image, Limits, decode_rgb

SUCCESS = VerdictStatus.SUCCESS
FAILED = VerdictStatus.FAILED
# Merchants send whole photos (a 12-megapixel phone photo fits); the bound still stops a small
# file that claims enormous dimensions before its pixels are allocated.
IMAGE_MAX_PIXELS = 4096 * 4096
SPOOF_DIGITS = 5  # as GLAIR's samples: 0.02611
NO_EVIDENCE = 1.0


class ImageTooLarge(LivenessError):
    status = 413
    reason = "PAYLOAD_TOO_LARGE"


class PassiveAnswer(TypedDict):
    status: str
    result: PassiveOutcome


def passive_liveness_check(*, image: bytes) -> PassiveAnswer:
    """Judge the one face of a photo.

    1. Refuse a file over LIVENESS_IMAGE_MAX_BYTES before decoding it, then anything that is
       not a JPEG, PNG or WebP image of at most IMAGE_MAX_PIXELS (sniffed from its bytes: the
       SDK labels every upload application/octet-stream).
    2. Find the faces. No face, or more than one, is `failed`: whose liveness would it be?
    3. Score the face with the anti-spoofing models: spoof_percentage = 1 - the probability
       that it is live, in GLAIR's bands (`gestures.passive.passive_status`).
    """
    rgb = image_decode(image, field="image")
    faces, live = _analysis_pool().submit(_faces_and_live, rgb).result()
    if faces != 1 or live is None:
        status = codes.TOO_MANY_FACES if faces > 1 else codes.FACE_NOT_DETECTED
        return {"status": FAILED, "result": {"spoof_percentage": NO_EVIDENCE, "status": status}}
    spoof = round(1.0 - live, SPOOF_DIGITS)
    return {
        "status": SUCCESS,
        "result": {"spoof_percentage": spoof, "status": passive_status(spoof, engine_config())},
    }


def image_decode(data: bytes, *, field: str) -> Image:
    """An uploaded image's RGB pixels, or the domain error that names the form field."""
    max_bytes = settings.LIVENESS_IMAGE_MAX_BYTES
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"{field}: the file has {len(data)} bytes; at most {max_bytes}", field=field
        )
    try:
        return decode_rgb(data, Limits(max_bytes=max_bytes, max_pixels=IMAGE_MAX_PIXELS))
    except FrameError as exc:
        if exc.code in {"too_large", "too_many_pixels"}:
            raise ImageTooLarge(f"{field}: {exc.message}", field=field) from exc
        raise InvalidInput(f"{field}: {_problem(exc)}", field=field) from exc


def _problem(exc: FrameError) -> str:
    if exc.code == "empty":
        return "the file is empty"
    if exc.code == "unsupported_format":
        return "not a JPEG, PNG or WebP image"
    return exc.message.replace("the frame", "the image")


def _faces_and_live(rgb: Image) -> tuple[int, float | None]:
    observation = analyze_rgb(rgb, passive=True)
    return observation.faces, observation.live if observation.faces == 1 else None


# The models run on a few long-lived threads of their own. Under ASGI every request runs in a
# fresh thread, which would build its own MediaPipe graph (about 100 ms more per call, and one
# graph per concurrent call); these threads keep theirs, and bound how many photos are
# analysed at once (the rest wait their turn).
_ANALYSIS_THREADS = min(4, os.cpu_count() or 1)
_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}  # by process id: a forked child starts its own


def _analysis_pool() -> ThreadPoolExecutor:
    pid = os.getpid()
    pool = _pools.get(pid)
    if pool is None:
        with _pool_lock:
            pool = _pools.get(pid)
            if pool is None:
                pool = _pools[pid] = ThreadPoolExecutor(
                    max_workers=_ANALYSIS_THREADS, thread_name_prefix="passive-liveness"
                )
    return pool
