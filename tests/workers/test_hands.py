"""The hand model adapter on real photos of the shared hand data set."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from workers import hands as hands_module
from workers.analysis import analyze_rgb
from workers.hands import run_hands

SUBHI = "hands/subhi_handsdataset/images/"


def test_it_finds_each_hand_with_its_raised_fingers(photo):
    # Labelled 5, 2, 1 and 0 open fingers; the last photo shows two fists.
    expected = {"5_pic00003.jpg": ["11111"], "5_pic00077.jpg": ["01100"],
                "5_pic00063.jpg": ["01000"], "46_pic00025.jpg": ["00000", "00000"]}  # fmt: skip
    for name, states in expected.items():
        rgb = photo(SUBHI + name)
        hands = run_hands(rgb)
        assert sorted(h.fingers for h in hands) == states, name
        for hand in hands:
            assert len(hand.points) == 21 and hand.side in ("left", "right")
            x, y, w, h = hand.box()
            assert y >= 0
            assert x >= 0 and x + w <= rgb.shape[1] and w > 20 and h > 20


def test_the_side_is_the_persons_own_and_flips_with_the_image(photo):
    rgb = photo(SUBHI + "5_pic00063.jpg")
    (hand,) = run_hands(rgb)
    (mirrored,) = run_hands(np.ascontiguousarray(rgb[:, ::-1]))
    assert {hand.side, mirrored.side} == {"left", "right"}
    assert mirrored.fingers == hand.fingers == "01000"


def test_analysis_runs_the_hand_model_only_when_asked(photo):
    rgb = cv2.resize(photo(SUBHI + "5_pic00063.jpg"), (480, 360))
    assert analyze_rgb(rgb).hands is None
    assert [h.fingers for h in analyze_rgb(rgb, hands=True).hands] == ["01000"]
    assert run_hands(np.zeros((60, 80, 3), np.uint8)) == []


def test_importing_the_adapter_loads_no_model():
    code = "import sys, workers.hands, workers.analysis; print('mediapipe' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_real_thumb_and_index_shape_reads_as_hand_11000(shared_data):
    # dynamic_gestures' "zoom" GIF: the man raises his thumb and index finger (an "L"), frame 14.
    capture = cv2.VideoCapture(
        str(shared_data / "hands" / "dynamic_gestures" / "dynamicgestures_zoom_in_out.gif")
    )
    for _ in range(15):
        ok, bgr = capture.read()
        assert ok
    capture.release()
    assert [h.fingers for h in run_hands(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))] == ["11000"]


@pytest.mark.parametrize(
    ("name", "state"),
    [("5_pic00077.jpg", "01100"), ("5_pic00003.jpg", "11111"), ("46_pic00005.jpg", "00000")],
)
def test_the_photo_rotated_45_degrees_or_mirrored_reads_the_same(photo, name, state):
    rgb = photo(SUBHI + name)
    height, width = rgb.shape[:2]
    for degrees in (-45, 45):
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        rotated = cv2.warpAffine(rgb, turn, (width, height))
        assert [h.fingers for h in run_hands(rotated)] == [state], degrees
    assert [h.fingers for h in run_hands(np.ascontiguousarray(rgb[:, ::-1]))] == [state]


def test_a_hand_partly_in_front_of_the_face_leaves_both_found(photo):
    """A composite (no shared photo shows it): the raised hand of a photo cut out and pasted
    over the face so that it covers the face's side up to a third of its width, the original
    hand cropped away. The face mesh still finds the face and the hand keeps its shape."""
    rgb = photo(SUBHI + "5_pic00077.jpg")  # index and middle raised, left of the face
    obs = analyze_rgb(rgb, hands=True)
    fx, fy, fw, fh = obs.box
    hx, hy, hw, hh = obs.hands[0].box()
    crop = rgb[int(hy) - 15 : int(hy + hh) + 15, int(hx) - 15 : int(hx + hw) + 15].copy()
    for covered in (0.15, 0.33):
        out = rgb.copy()
        x = int(fx - crop.shape[1] + covered * fw)
        y = min(max(int(fy + 0.6 * fh - crop.shape[0] / 2), 0), rgb.shape[0] - crop.shape[0])
        out[y : y + crop.shape[0], x : x + crop.shape[1]] = crop
        seen = analyze_rgb(np.ascontiguousarray(out[:, int(hx + hw) + 40 :]), hands=True)
        assert seen.faces == 1 and [h.fingers for h in seen.hands] == ["01100"], covered


def clip_frame(shared_data, name: str, index: int, width: int = 480):
    capture = cv2.VideoCapture(str(shared_data / "videos" / name))
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = capture.read()
    capture.release()
    assert ok
    size = (width, round(bgr.shape[0] * width / bgr.shape[1]))
    return cv2.cvtColor(cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize(
    ("name", "state"),
    [("3_pic00043.jpg", "01000"), ("3_pic00053.jpg", "01000"), ("25_pic00003.jpg", "00000")],
)
def test_a_hand_the_full_models_miss_is_found_by_the_lite_ones(photo, name, state):
    # Tuning-run photos (bench/hands.py) where neither view of the full palm detector finds
    # the hand: an index finger raised over a loose fist, a fist low in the frame.
    rgb = photo(SUBHI + name)
    small = hands_module._scaled(rgb, hands_module.MODEL_WIDTH)
    full = hands_module._hands()
    assert not full.process(small).multi_hand_landmarks
    assert not full.process(np.ascontiguousarray(small[:, ::-1])).multi_hand_landmarks
    assert [h.fingers for h in run_hands(rgb)] == [state]


@pytest.mark.parametrize(
    ("clip", "index"), [("tp_driving_turn.mp4", 30), ("more/retalking_face2.mp4", 112)]
)
def test_a_hand_the_lite_models_are_unsure_of_is_no_hand(shared_data, clip, index):
    # Talking heads with no hand in view, where the lite models find one (its side scored
    # 0.78-0.89): below FALLBACK_SCORE_MIN, so no hand comes back.
    rgb = clip_frame(shared_data, clip, index)
    small = hands_module._scaled(
        hands_module._scaled(rgb, hands_module.MODEL_WIDTH), hands_module.FALLBACK_WIDTH
    )
    lite = hands_module._lite_graph.get().process(small)
    assert lite.multi_hand_landmarks, "the lite model no longer sees a hand here"
    assert run_hands(rgb) == []
