"""The MediaPipe hand model (palm detection + hand landmarks), loaded lazily: one graph per
thread of each process, as the face mesh (`workers.mesh`).

Both models, full and lite, ship inside the pinned mediapipe wheel
(`mediapipe/modules/palm_detection`, `hand_landmark`): nothing is downloaded. Static-image
mode on every frame, streams included: frames of one session may be analysed by different
worker processes, so no frame may depend on the tracking state a previous one left in one
graph.

What leaves this module is plain rows (`gestures.hands.Hand`): no MediaPipe type leaks.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from gestures.hands import Hand
from workers.lazy import PerThread

# Three, not two: "two hands" must be told from "more than two", and a third hand in the frame
# (someone else's) is what `too many hand detected` is about.
MAX_HANDS = 3
# 0.3: the palm detector misses a hand seen from the side or a fist at 0.5 more often (one
# labelled hand in 13 of the tuning runs, bench/hands.py), and finds no extra hand at 0.3.
MIN_DETECTION_CONFIDENCE = 0.3
MODEL_COMPLEXITY = 1  # the full landmark model: the lite one misreads bent fingers more often
# Frames wider than this are scaled down (area averaging) before the model. The palm detector
# sees the frame at 192x192 after MediaPipe's own resize, which samples a large frame without
# averaging: on the shared photos it misses 44 of 569 labelled hands at 800 px, 36 at 480, 26
# at 320 and 24 at 256, reading the found ones as well (bench/hands.py --width; 320 keeps more
# pixels per finger than 256 for the same hands found on the tuning runs, 193 vs 195 of 226).
MODEL_WIDTH = 320
# Last resort when neither view finds a hand: the lite models (palm detector and landmarks) on
# the frame scaled to 256 px. They find hands the full ones miss (a raised index finger over
# a loose fist, a fist low in the frame: 10 of the 19 hands still missed on the tuning runs,
# bench/hands.py) but also, on face-only frames, a hand where there is none (8 of 246).
# Those false ones the landmark model is mostly unsure about: its confidence in the hand's
# side is 0.63-0.90 for 7 of the 8, while every real hand it added scored 0.98 or more.
# A lite hand below FALLBACK_SCORE_MIN is dropped (docs/ACCURACY.md: false hands).
FALLBACK_WIDTH = 256
FALLBACK_SCORE_MIN = 0.95


def _build(complexity: int) -> Any:
    import mediapipe as mp  # heavy: imported on first use only

    return mp.solutions.hands.Hands(
        static_image_mode=True,
        max_num_hands=MAX_HANDS,
        model_complexity=complexity,
        min_detection_confidence=MIN_DETECTION_CONFIDENCE,
    )


_graph: PerThread[Any] = PerThread(lambda: _build(MODEL_COMPLEXITY))
_lite_graph: PerThread[Any] = PerThread(lambda: _build(0))


def _hands() -> Any:
    return _graph.get()


def _scaled(rgb: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """The frame at most `width` wide (area averaging), read-only."""
    height, full = rgb.shape[:2]
    frame = rgb.view()
    if full > width:
        size = (width, max(round(height * width / full), 1))
        frame = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    frame.flags.writeable = False
    return frame


def run_hands(rgb: npt.NDArray[np.uint8]) -> list[Hand]:
    """Every hand the model finds in an RGB uint8 frame, landmarks in the frame's pixels.

    1. Scale the frame to at most MODEL_WIDTH wide (area averaging).
    2. Run the model; when it finds no hand, run it once more on the mirrored frame: the palm
       detector is not symmetric, and on the shared photos the mirror view finds a third to a
       half of the hands the first one missed (bench/hands.py). Only frames without a hand
       pay for it.
    3. Still none: the lite models at FALLBACK_WIDTH, keeping only the hands they are sure of
       (FALLBACK_SCORE_MIN). A frame with no hand in it runs three models.
    4. `side` is the person's own hand: MediaPipe labels a mirrored (selfie) image, the
       server gets the raw camera frame, so its label is flipped (and flipped back for a hand
       found in the mirrored view).
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("Input image must contain three channel rgb data.")
    height, width = rgb.shape[:2]
    frame = _scaled(rgb, MODEL_WIDTH)
    hands = _read(_hands().process(frame), width, height, mirrored=False)
    if not hands:
        mirror = np.ascontiguousarray(frame[:, ::-1])
        mirror.flags.writeable = False
        hands = _read(_hands().process(mirror), width, height, mirrored=True)
    if not hands:
        lite = _lite_graph.get().process(_scaled(frame, FALLBACK_WIDTH))
        found = _read(lite, width, height, mirrored=False)
        hands = [h for h in found if h.score >= FALLBACK_SCORE_MIN]
    return hands


_OWN_SIDE = {"Left": "right", "Right": "left"}


def _read(result: Any, width: int, height: int, *, mirrored: bool) -> list[Hand]:
    found = result.multi_hand_landmarks or []
    labels = result.multi_handedness or []
    hands = []
    for index, marks in enumerate(found):
        side, score = "", 0.0
        if index < len(labels) and labels[index].classification:
            best = labels[index].classification[0]
            side = _OWN_SIDE.get(best.label, "")
            if mirrored and side:
                side = "left" if side == "right" else "right"
            score = float(best.score)
        points = [
            [(1.0 - p.x if mirrored else p.x) * width, p.y * height, p.z * width]
            for p in marks.landmark
        ]
        hands.append(Hand(points=points, side=side, score=score))
    return hands


def warm_up() -> None:
    """Build this thread's graphs now (e.g. in a Celery worker_process_init hook): a frame
    without a hand goes through all of them."""
    run_hands(np.zeros((64, 64, 3), dtype=np.uint8))
