"""One still picture against one gesture code (gestures.still), on recorded observations."""

from __future__ import annotations

import dataclasses

import pytest

from gestures import codes
from gestures.config import EngineConfig
from gestures.observation import FrameObservation
from gestures.still import judge_still
from tests.gestures.test_hands import load_run

CONFIG = EngineConfig()


def judged(obs: FrameObservation, gesture: str) -> tuple[str, str | None]:
    verdict = judge_still(obs, gesture, CONFIG)
    return verdict.gesture_status, verdict.detected_gesture


@pytest.fixture(scope="module")
def frontal(recording) -> FrameObservation:
    return recording("lp_d0_still")[0][2]


def test_a_frontal_face_with_open_eyes_and_closed_mouth(frontal):
    assert judged(frontal, codes.HEAD_11) == (codes.MATCH, codes.HEAD_11)
    assert judged(frontal, codes.HEAD_CLOSE_MOUTH) == (codes.MATCH, codes.HEAD_CLOSE_MOUTH)
    assert judged(frontal, codes.HEAD_00) == (codes.NOT_MATCH, codes.HEAD_11)
    assert judged(frontal, codes.HEAD_LEFT) == (codes.NOT_MATCH, None)


def test_the_pose_eyes_and_mouth_of_the_picture_decide(frontal):
    turned = dataclasses.replace(frontal, yaw=-25.0)
    assert judged(turned, codes.HEAD_LEFT) == (codes.MATCH, codes.HEAD_LEFT)
    assert judged(turned, codes.HEAD_UP) == (codes.NOT_MATCH, codes.HEAD_LEFT)
    assert judged(dataclasses.replace(frontal, pitch=20.0), codes.HEAD_UP)[0] == codes.MATCH
    assert judged(dataclasses.replace(frontal, pitch=-20.0), codes.HEAD_DOWN)[0] == codes.MATCH
    wink = dataclasses.replace(frontal, eye_right=0.15, eye_left=0.3)
    assert judged(wink, codes.HEAD_01) == (codes.MATCH, codes.HEAD_01)
    assert judged(wink, codes.HEAD_10) == (codes.NOT_MATCH, codes.HEAD_01)
    assert judged(dataclasses.replace(frontal, mouth=0.5), codes.HEAD_OPEN_MOUTH)[0] == codes.MATCH


def test_head_codes_need_one_face(frontal):
    assert judged(FrameObservation(480, 360, faces=0), codes.HEAD_UP)[0] == codes.FACE_NOT_DETECTED
    assert judged(dataclasses.replace(frontal, faces=2), codes.HEAD_UP)[0] == codes.TOO_MANY_FACES


def test_hand_codes_judge_the_one_hand_and_need_no_face():
    run5, run46 = load_run("5"), load_run("46")
    index = next(o for _, o in run5 if o.hands and o.hands[0].fingers == "01000")
    assert judged(index, "HAND_01000") == (codes.MATCH, "HAND_01000")
    assert judged(index, "HAND_11111") == (codes.NOT_MATCH, "HAND_01000")
    faceless = FrameObservation(index.width, index.height, faces=0, hands=index.hands)
    assert judged(faceless, "HAND_01000") == (codes.MATCH, "HAND_01000")
    two = next(o for _, o in run46 if o.hands and len(o.hands) == 2)
    assert judged(two, "HAND_00000") == (codes.TOO_MANY_HANDS, None)
    assert judged(dataclasses.replace(index, hands=[]), "HAND_01000")[0] == codes.HAND_NOT_DETECTED
