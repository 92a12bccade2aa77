"""Hand shapes (gestures.hands) and hand challenges (gestures.hand_challenge, through the run)
on recorded landmarks: two runs of the shared hand photos, held out of the thresholds' tuning,
played as clips, and thumb shapes made from them (tests/gestures/hand_shapes.py)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from gestures import codes
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.hands import Hand, finger_state
from gestures.observation import FrameObservation
from tests.gestures.conftest import FIXTURES
from tests.gestures.hand_shapes import transplant

PHOTO_MS = 300  # a photo of a run stands for this long when the run is played as a clip


def load_run(run: str) -> list[tuple[list[int], FrameObservation]]:
    rows = json.loads((FIXTURES / f"hands_run{run}.json").read_text())
    return [(r["counts"], FrameObservation.from_dict(r["obs"])) for r in rows]


@pytest.fixture(scope="module")
def run5():
    return load_run("5")


@pytest.fixture(scope="module")
def run46():
    return load_run("46")


def hand_showing(frames, state: str) -> Hand:
    return next(o.hands[0] for _, o in frames if o.hands and o.hands[0].fingers == state)


# --- finger states ------------------------------------------------------------------------


def test_the_count_of_raised_fingers_equals_the_label_on_held_out_photos(run5, run46):
    right = total = 0
    for counts, obs in run5 + run46:
        if obs.hands is None or len(obs.hands) != len(counts):
            continue  # a hand the model did not find: bench/hands.py counts those
        total += 1
        right += sorted(h.fingers.count("1") for h in obs.hands) == sorted(counts)
    assert total >= 110 and right / total >= 0.95, (right, total)


def rotate(points, degrees: float, mirror: bool = False):
    p = np.asarray(points, dtype=float)
    centre = p.mean(axis=0)
    a = math.radians(degrees)
    turn = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    q = (p - centre) @ turn.T
    if mirror:  # the other hand, or the same one seen from the back
        q[:, 0] = -q[:, 0]
    return (q + centre).tolist()


@pytest.mark.parametrize("state", ["00000", "01000", "01100", "01110", "01111", "11111"])
def test_a_shape_reads_the_same_rotated_up_to_45_degrees_and_mirrored(run5, run46, state):
    hand = hand_showing(run5 + run46, state)
    for degrees in (-45, -20, 20, 45):
        for mirror in (False, True):
            assert finger_state(rotate(hand.points, degrees, mirror)) == state


@pytest.fixture(scope="module")
def thumb_shapes(run5):
    """The three thumb shapes no photo shows, made from the run's own hands."""
    open_hand, fist = hand_showing(run5, "11111"), hand_showing(run5, "00000")
    index = hand_showing(run5, "01000")
    return {
        "10000": transplant(fist.points, open_hand.points, ["thumb"]),
        "11000": transplant(index.points, open_hand.points, ["thumb"]),
        "11001": transplant(index.points, open_hand.points, ["thumb", "little"]),
    }


@pytest.mark.parametrize("state", ["10000", "11000", "11001"])
def test_thumb_shapes_made_from_recorded_hands_read_as_made(thumb_shapes, state):
    points = thumb_shapes[state]
    assert finger_state(points) == state
    assert finger_state(rotate(points, 40, mirror=True)) == state


# --- hand challenges, the photo runs played as clips -----------------------------------------


def cfg(**overrides) -> EngineConfig:
    """Recorded landmarks carry no pixels to score: the passive check is off. The photos
    keep the face off-centre (room for the hand) and some are dim: positioning, which these
    tests are not about, lets them through."""
    base = {
        "passive_min_samples": 0,
        "center_max_x": 0.5,
        "brightness_min": 20.0,
        "face_size_min": 0.1,
    }
    return EngineConfig.from_overrides(base | overrides)


def play(gestures, observations, config=None, frame_ms=PHOTO_MS):
    """A non-interactive run fed the observations in order; the last step's verdict."""
    run = ChallengeRun(gestures, config or cfg(), max_attempts=1)
    steps = []
    for i, obs in enumerate(observations):
        steps.append(run.feed(obs, i * frame_ms))
        if steps[-1].phase == codes.DONE:
            break
    else:
        steps.append(run.finish(len(observations) * frame_ms))
    return steps[-1].verdict["result"], steps


def settle(obs: FrameObservation, count: int = 3) -> list[FrameObservation]:
    """The user holding still before the challenge: positioning needs a still face."""
    return [obs] * count


def clip(frames, first: int, last: int | None = None) -> list[FrameObservation]:
    chosen = [o for _, o in frames[first:last]]
    return settle(chosen[0]) + chosen


@pytest.mark.parametrize(
    ("gesture", "first"),
    [
        (codes.HAND_GESTURES[0], 13),  # two fingers, then the fist
        ("HAND_01000", 26),  # fist, then the index finger
        ("HAND_01100", 38),  # index, then index and middle
        ("HAND_01111", 54),  # three, then four
    ],
)
def test_the_shape_formed_after_the_challenge_opens_matches(run5, gesture, first):
    result, _ = play([gesture], clip(run5, first))
    assert (result["gesture_status"], result["detected_gesture"]) == (codes.MATCH, gesture)


def test_a_shape_already_shown_when_the_challenge_opens_must_be_formed_again(run5):
    index = next(o for _, o in run5 if o.hands and o.hands[0].fingers == "01000")
    config = cfg(gesture_time_limit_ms=3000)
    result, _ = play(["HAND_01000"], [index] * 30, config)
    assert result["gesture_status"] == codes.NOT_MATCH


def test_another_clear_shape_held_fails_with_not_match_naming_it(run5):
    result, _ = play(["HAND_11111"], clip(run5, 30, 42))
    assert (result["gesture_status"], result["detected_gesture"]) == (codes.NOT_MATCH, "HAND_01000")


def test_a_fist_held_is_a_start_not_a_wrong_shape(run5):
    fists = [o for _, o in run5[16:28] if o.hands and o.hands[0].fingers == "00000"]
    config = cfg(gesture_time_limit_ms=3000)
    result, _ = play(["HAND_01100"], settle(fists[0]) + fists * 3, config)
    assert result["gesture_status"] == codes.NOT_MATCH
    assert result["detected_gesture"] == "HAND_00000"
    assert result["gestures"][0]["duration_ms"] >= 3000  # failed at the deadline, not before


def test_two_hands_held_fail_with_too_many_hand_detected(run46):
    result, _ = play(["HAND_01100"], clip(run46, 10))
    assert result["gesture_status"] == codes.TOO_MANY_HANDS
    assert result["detected_gesture"] is None


def test_no_hand_fails_at_the_deadline_with_hand_not_detected(run5):
    face_only = dataclasses.replace(run5[20][1], hands=[])
    config = cfg(gesture_time_limit_ms=3000)
    result, _ = play(["HAND_01000"], [face_only] * 30, config)
    assert result["gesture_status"] == codes.HAND_NOT_DETECTED


def far_from_face(obs: FrameObservation, shift_faces: float) -> FrameObservation:
    width = obs.box[2] if obs.box is not None else obs.width
    moved = [
        Hand([[x + shift_faces * width, y, z] for x, y, z in h.points], h.side, h.score)
        for h in obs.hands or []
    ]
    return dataclasses.replace(obs, hands=moved)


def test_a_hand_far_from_the_face_is_someone_elses_and_does_not_count(run5):
    frames = [far_from_face(o, 4.0) for o in clip(run5, 26)]
    config = cfg(hand_face_distance_max=3.0)
    result, _ = play(["HAND_01000"], frames, config)
    assert result["gesture_status"] == codes.HAND_NOT_DETECTED


def test_a_hand_without_a_face_does_not_count(run5):
    frames = clip(run5, 26)
    faceless = [FrameObservation(o.width, o.height, faces=0, hands=o.hands) for o in frames[6:]]
    result, _ = play(["HAND_01000"], frames[:6] + faceless)
    assert result["gesture_status"] == codes.FACE_NOT_DETECTED


def test_the_hold_takes_the_same_real_time_at_any_frame_rate(run5):
    frames = clip(run5, 26)
    for frame_ms, repeat in ((300, 1), (100, 3), (50, 6)):
        slow = [o for o in frames for _ in range(repeat)]
        result, steps = play(["HAND_01000"], slow, frame_ms=frame_ms)
        assert result["gesture_status"] == codes.MATCH
        started = next(e for s in steps for e in s.events if e["type"] == "challenge_started")
        matched = next(e for s in steps for e in s.events if e["type"] == "gesture_matched")
        assert matched["duration_ms"] >= EngineConfig().hand_hold_ms
        del started


def test_hand_challenges_report_guidance_for_a_missing_or_doubled_hand(run5, run46):
    face_only = dataclasses.replace(run5[20][1], hands=[])
    _, steps = play(["HAND_01000"], [face_only] * 12)
    assert steps[5].phase == codes.CHALLENGE and steps[5].guidance == "no_hand"
    _, steps = play(["HAND_01000"], clip(run46, 13, 20))
    assert "many_hands" in {s.guidance for s in steps if s.phase == codes.CHALLENGE}


def test_a_frame_the_hand_model_did_not_see_neither_helps_nor_hurts(run5):
    frames = clip(run5, 26)
    unseen = [dataclasses.replace(o, hands=None) for o in frames]
    mixed = [f for pair in zip(unseen, frames, strict=True) for f in pair]
    result, _ = play(["HAND_01000"], mixed, frame_ms=PHOTO_MS // 2)
    assert result["gesture_status"] == codes.MATCH
    result, _ = play(["HAND_01000"], unseen, cfg(gesture_time_limit_ms=3000))
    assert result["gesture_status"] == codes.HAND_NOT_DETECTED


def test_an_observation_keeps_its_hands_through_json(run5):
    obs = run5[40][1]
    again = FrameObservation.from_dict(json.loads(json.dumps(obs.to_dict())))
    assert [h.fingers for h in again.hands] == [h.fingers for h in obs.hands]
    assert again.hands[0].side == obs.hands[0].side
    assert FrameObservation.from_dict(FrameObservation(480, 360, faces=0).to_dict()).hands is None


def test_the_hand_model_is_asked_for_only_while_a_hand_challenge_is_open(run5):
    frames = clip(run5, 26)
    run = ChallengeRun(["HAND_01000", "HEAD_LEFT"], cfg(), max_attempts=1)
    due = []
    for i, obs in enumerate(frames):
        step = run.feed(obs, i * PHOTO_MS)
        due.append((step.phase, step.gesture, run.hands_due()))
    assert not any(hands for phase, _, hands in due if phase == codes.POSITIONING)
    assert all(hands for _, gesture, hands in due if gesture == "HAND_01000")
    assert not any(hands for _, gesture, hands in due if gesture == "HEAD_LEFT")
    assert {g for _, g, _ in due} >= {"HAND_01000", "HEAD_LEFT"}
    head_only = ChallengeRun(["HEAD_LEFT"], cfg(), max_attempts=1)
    for i, obs in enumerate(frames):
        head_only.feed(obs, i * PHOTO_MS)
        assert not head_only.hands_due()


def test_the_window_marks_the_frames_for_the_hand_model():
    from gestures.window import FrameWindow

    window = FrameWindow(max_in_flight=3, timeout_ms=1000)
    assert window.admit(1, 0, "a", accepting=True) is None
    assert window.admit(2, 10, "b", accepting=True, hands_due=True) is None
    assert [window.get(1).hands, window.get(2).hands] == [False, True]
