"""Photos never pass: still, moved, tilted and turned cards, and non-live faces."""

from __future__ import annotations

import pytest

from gestures import codes
from gestures.config import EngineConfig
from tests.support.attacks import MOTIONS, render_attack
from workers.analysis import analyze_rgb
from workers.replay import replay

PHOTOS = [
    "images/liveportrait/driving_d8.jpg",
    "images/liveportrait/driving_d9.jpg",
    "images/liveportrait/driving_d19.jpg",  # mouth wide open: the model redraws it as the card turns
    "images/face_recognition/obama.jpg",
    "images/face_recognition/biden.jpg",
    "images/3ddfa_v2/JianzhuGuo.jpg",
]
NON_LIVE = [
    "images/liveportrait/s6.jpg",
    "images/liveportrait/s7.jpg",
    "images/liveportrait/s9.jpg",
]


@pytest.fixture(scope="module")
def attack_frames(photo):
    cache = {}

    def get(path, motion):
        if (path, motion) not in cache:
            card = face_print(photo(path))
            frames = render_attack(card, MOTIONS[motion], fps=10, seconds_per_leg=0.8)
            cache[path, motion] = [(i, t, analyze_rgb(f)) for i, (t, f) in enumerate(frames)]
        return cache[path, motion]

    return get


def face_print(rgb):
    """The photo cropped around its face, as an attacker would print it to fill the card."""
    box = analyze_rgb(rgb).box
    assert box is not None
    x, y, w, h = box
    cx, cy, half = x + w / 2, y + h / 2, max(w, h) * 0.9
    top, left = max(int(cy - half), 0), max(int(cx - half), 0)
    return rgb[top : int(cy + half), left : int(cx + half)].copy()


@pytest.mark.slow
@pytest.mark.parametrize("path", PHOTOS)
@pytest.mark.parametrize("motion", sorted(MOTIONS))
def test_a_photo_card_moved_in_front_of_the_camera_never_matches(attack_frames, path, motion):
    frames = attack_frames(path, motion)
    assert sum(obs.has_face for _, _, obs in frames) > len(frames) * 0.8  # the model saw a face
    # A photo with a closed mouth gives the engine a neutral pose, so the geometry is what
    # must reject it; one with an open mouth (d9, d19) must not get a neutral pose at all.
    can_be_neutral = frames[0][2].mouth < EngineConfig().mouth_open_min
    for gesture in codes.SUPPORTED_GESTURES:
        report = replay(frames, [gesture], max_attempts=1)
        assert report["result"]["gesture_status"] != codes.MATCH, (gesture, report["result"])
        judged = [e for e in report["timeline"] if e["metrics"]]
        if can_be_neutral:
            assert len(judged) >= 5, f"{gesture}: the card never reached a judged challenge frame"


@pytest.mark.parametrize("path", PHOTOS[:2] + NON_LIVE)
def test_a_still_picture_matches_nothing(photo, path):
    obs = analyze_rgb(photo(path))
    frames = [(i, i * 100, obs) for i in range(120)]
    for gesture in codes.SUPPORTED_GESTURES:
        assert replay(frames, [gesture], max_attempts=1)["status"] == "failed"
