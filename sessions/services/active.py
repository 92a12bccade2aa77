"""GLAIR's single-image active liveness (CONTRACT section 5): one photo and one gesture code
in, whether the photo shows that gesture out (`gestures.still`).

The answer is `{"status": "success" | "failed", "result": {"gesture_status",
"detected_gesture"}}`, as the passive call's: `success` when there was something to judge (one
face for a head code, one hand for a hand code) and `result.gesture_status` says MATCH or
NOT_MATCH; `failed` with GLAIR's `face not detected`, `too many faces detected`, `hand not
detected` or `too many hand detected` otherwise. A file that is not a bounded JPEG, PNG or
WebP image is refused with an error, not answered (`sessions.services.passive.image_decode`).
"""

from __future__ import annotations

from typing import TypedDict

from gestures import codes
from gestures.observation import FrameObservation
from gestures.still import judge_still
from gestures.vocabulary import VerdictStatus
from sessions.engine import engine_config
from sessions.services.passive import _analysis_pool, image_decode
from workers.analysis import analyze_rgb
from workers.decode import Image


class ActiveResult(TypedDict):
    gesture_status: str
    detected_gesture: str | None


class ActiveAnswer(TypedDict):
    status: str
    result: ActiveResult


def active_liveness_check(*, image: bytes, gesture: str) -> ActiveAnswer:
    """Judge one photo against one of GLAIR's 19 gesture codes.

    1. Refuse what is not a bounded image (as the passive call does).
    2. Analyse it on the analysis threads: the face mesh, and the hand model for a hand code.
    3. Compare the picture's pose, eyes, mouth or hand shape with the code (`judge_still`).
    """
    rgb = image_decode(image, field="image")
    hands = gesture in codes.HAND_GESTURES
    observation = _analysis_pool().submit(_analyse, rgb, hands).result()
    verdict = judge_still(observation, gesture, engine_config())
    return {
        "status": VerdictStatus.SUCCESS if verdict.judged else VerdictStatus.FAILED,
        "result": {
            "gesture_status": verdict.gesture_status,
            "detected_gesture": verdict.detected_gesture,
        },
    }


def _analyse(rgb: Image, hands: bool) -> FrameObservation:
    return analyze_rgb(rgb, hands=hands)
