"""One still picture judged against one gesture code: GLAIR's single-image active liveness
(`POST /face/v1/active-liveness`, CONTRACT section 5).

A still has no movement, so no neutral to measure from: the picture's own pose, eyes, mouth or
hand shape is compared with absolute thresholds. It proves nothing about liveness (a photo of
a turned head turns); it only answers "does this picture show that gesture?".

- Head codes need exactly one face (`face not detected`, `too many faces detected`).
- Hand codes need exactly one hand and no face (`hand not detected`, `too many hand detected`).
- `MATCH` names the requested code; `NOT_MATCH` names what the picture shows instead, in the
  requested code's family (a pose, eyes, the mouth, a hand shape), or null when that is nothing
  GLAIR has a code for.
"""

from __future__ import annotations

from dataclasses import dataclass

from gestures import codes
from gestures.config import EngineConfig
from gestures.observation import FrameObservation

# Absolute figures for a single picture (the session engine measures change from neutral).
# Turns: EngineConfig.turn_yaw_deg from frontal. Nods: the pitch of a frontal webcam face is
# within +-8 degrees on the shared clips; a look up or down past this reads as one.
STILL_NOD_DEG = 15.0
# Eyes: lid gap over eye width. Open eyes read 0.21-0.39 on the shared clips, closed lids
# 0.14-0.18 (the mesh never closes them fully).
STILL_EYE_CLOSED_MAX = 0.19
STILL_EYE_OPEN_MIN = 0.21


@dataclass(frozen=True)
class StillVerdict:
    gesture_status: str  # a GestureStatus
    detected_gesture: str | None

    @property
    def judged(self) -> bool:
        """A face (or a hand) was there to judge: MATCH or NOT_MATCH."""
        return self.gesture_status in (codes.MATCH, codes.NOT_MATCH)


def judge_still(obs: FrameObservation, gesture: str, config: EngineConfig) -> StillVerdict:
    if gesture in codes.HAND_GESTURES:
        return _hand(obs, gesture)
    if gesture not in codes.SUPPORTED_GESTURES:
        raise ValueError(f"unknown gesture {gesture!r}")
    if obs.faces > 1:
        return StillVerdict(codes.TOO_MANY_FACES, None)
    if not obs.has_face:
        return StillVerdict(codes.FACE_NOT_DETECTED, None)
    shown = _head(obs, gesture, config)
    return StillVerdict(codes.MATCH if shown == gesture else codes.NOT_MATCH, shown)


def _hand(obs: FrameObservation, gesture: str) -> StillVerdict:
    hands = obs.hands or []
    if not hands:
        return StillVerdict(codes.HAND_NOT_DETECTED, None)
    if len(hands) > 1:
        return StillVerdict(codes.TOO_MANY_HANDS, None)
    shown = f"HAND_{hands[0].fingers}"
    if shown == gesture:
        return StillVerdict(codes.MATCH, gesture)
    return StillVerdict(codes.NOT_MATCH, shown if shown in codes.HAND_GESTURES else None)


def _head(obs: FrameObservation, gesture: str, config: EngineConfig) -> str | None:
    """What the picture shows in the requested code's family."""
    if gesture in codes.MOUTH_GESTURES:
        if obs.mouth >= config.mouth_open_min:
            return codes.HEAD_OPEN_MOUTH
        return codes.HEAD_CLOSE_MOUTH if obs.mouth <= config.mouth_closed_max else None
    if gesture in codes.EYE_GESTURES:
        return _eyes(obs.eye_right, obs.eye_left)
    return _pose(obs, config)


def _pose(obs: FrameObservation, config: EngineConfig) -> str | None:
    turn = abs(obs.yaw) >= config.turn_yaw_deg
    nod = abs(obs.pitch) >= STILL_NOD_DEG
    if turn and (not nod or abs(obs.yaw) / config.turn_yaw_deg >= abs(obs.pitch) / STILL_NOD_DEG):
        # yaw < 0: the nose toward the image's right, the subject's own left.
        return codes.HEAD_LEFT if obs.yaw < 0 else codes.HEAD_RIGHT
    if nod:
        return codes.HEAD_UP if obs.pitch > 0 else codes.HEAD_DOWN
    return None


def _eyes(right: float, left: float) -> str | None:
    closed_r, closed_l = right <= STILL_EYE_CLOSED_MAX, left <= STILL_EYE_CLOSED_MAX
    open_r, open_l = right >= STILL_EYE_OPEN_MIN, left >= STILL_EYE_OPEN_MIN
    if closed_r and closed_l:
        return codes.HEAD_00
    if closed_r and open_l:
        return codes.HEAD_01  # the subject's right eye closed
    if closed_l and open_r:
        return codes.HEAD_10
    return codes.HEAD_11 if open_r and open_l else None
