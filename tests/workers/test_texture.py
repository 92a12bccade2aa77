"""The pixel check: a flat picture is explained by one homography, a real head is not."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bench.dataset import clip_path
from gestures import codes
from gestures.config import EngineConfig
from gestures.planar import anchor_homography
from gestures.texture import (
    EYE_ROWS,
    MOUTH_ROW,
    PATCH_H,
    PATCH_W,
    band_correlations,
    plane_correlation,
)
from tests.support.attacks import CardPose, render_attack
from tests.workers.test_photo_attacks import face_print
from workers.analysis import analyze_rgb
from workers.replay import observe_video, replay

# Tilted far about the horizontal axis: the mesh reads 8-10 degrees of nod from it.
STEEP_TILT = [
    CardPose(),
    CardPose(),
    CardPose(pitch=42),
    CardPose(),
    CardPose(pitch=-42),
    CardPose(),
]
# Landmark parallax off: only the pixels stand between the card and a nod.
PIXELS_ONLY = EngineConfig(
    passive_min_samples=0, nod_parallax_ratio_min=-10.0, parallax_ratio_min=-10.0
)


def correlation(a, b, from_row=0):
    anchors = anchor_homography(a.landmarks, b.landmarks)
    return plane_correlation(a.patch, a.landmarks, b.patch, b.landmarks, anchors, from_row)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", ["images/face_recognition/obama.jpg", "images/3ddfa_v2/JianzhuGuo.jpg"]
)
def test_a_steeply_tilted_card_is_one_plane_to_the_pixels(photo, path):
    frames = [
        (i, t, analyze_rgb(f))
        for i, (t, f) in enumerate(render_attack(face_print(photo(path)), STEEP_TILT, fps=10))
    ]
    first = frames[0][2]
    tilted = [o for _, _, o in frames if o.has_face and abs(o.pitch - first.pitch) >= 7]
    assert tilted, "the mesh should read a nod from the tilted card"
    assert min(correlation(first, o) for o in tilted) > EngineConfig().plane_correlation_max
    for gesture in (codes.HEAD_UP, codes.HEAD_DOWN):
        assert replay(frames, [gesture], PIXELS_ONLY)["status"] == "failed"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "gesture", "metric"),
    [
        ("tp_driving_turn", codes.HEAD_DOWN, "plane"),
        ("lp_d14_blinks", codes.HEAD_DOWN, "plane"),
        ("st_katiehill_turns", codes.HEAD_UP, "plane"),
        ("lp_d12_turns_up_mouth", codes.HEAD_LEFT, "plane"),
        # A jaw that drops changes the pixels of the lower face: no homography explains it.
        ("lp_d12_turns_up_mouth", codes.HEAD_OPEN_MOUTH, "mouth_plane"),
        ("liveportrait_d5", codes.HEAD_OPEN_MOUTH, "mouth_plane"),
        ("liveportrait_d5", codes.HEAD_CLOSE_MOUTH, "mouth_plane"),
    ],
)
def test_a_real_head_is_not_a_plane_and_still_passes(shared_data, clip, gesture, metric):
    frames = observe_video(clip_path(shared_data, clip), 15, passive=False)
    config = EngineConfig(passive_min_samples=0)
    report = replay(frames, [gesture], config)
    assert report["result"]["gestures"][0]["gesture_status"] == codes.MATCH
    checked = [e["metrics"][metric] for e in report["timeline"]
               if e["metrics"] and e["metrics"][metric] is not None]  # fmt: skip
    assert checked and max(checked) < getattr(config, f"{metric}_correlation_max")


def test_identical_views_correlate_fully(photo):
    obs = analyze_rgb(photo("spoof/silent_face/image_T1.jpg"))
    assert correlation(obs, obs) > 0.999


def test_a_band_can_be_cut_to_columns(photo):
    # The patch's left half changed in the eyes' band (the subject's right eye: the outer eye
    # corners set the patch, `canonical`), its right half not: only the left columns differ.
    obs = analyze_rgb(photo("spoof/silent_face/image_T1.jpg"))
    assert obs.patch is not None and obs.landmarks is not None
    pixels = np.frombuffer(obs.patch, dtype=np.uint8).reshape(PATCH_H, PATCH_W).copy()
    top, bottom = EYE_ROWS
    pixels[top:bottom, : PATCH_W // 2] = 255 - pixels[top:bottom, : PATCH_W // 2]
    changed = dataclasses.replace(obs, patch=pixels.tobytes())
    half = PATCH_W // 2
    left, right, whole = band_correlations(
        obs.patch, obs.landmarks, changed.patch, obs.landmarks,
        anchor_homography(obs.landmarks, obs.landmarks),
        [(top, bottom, 0, half), (top, bottom, half, PATCH_W), (top, bottom)],
    )  # fmt: skip
    # (The one fit for all bands is pulled a little by the changed half: 0.91 on the other.)
    assert left < 0.2 < whole < 0.8 < right


@pytest.mark.slow
def test_the_pixel_check_runs_once_per_hold_not_on_every_confirmed_frame(shared_data, monkeypatch):
    # A real turn at 30 fps, held by whole frames only (`pose_near_share` 0: frames on the
    # way would complete the hold on the first whole one): the landmarks confirm it on many
    # frames; the pixels are asked only on the frame that completes the hold (a few ms each:
    # the engine's cost budget).
    import gestures.reading

    calls = []
    real = gestures.reading.plane_correlation

    def counted(*args):
        calls.append(1)
        return real(*args)

    frames = observe_video(shared_data / "videos" / "lp_d12_turns_up_mouth.mp4", 30, passive=False)
    monkeypatch.setattr(gestures.reading, "plane_correlation", counted)
    config = EngineConfig(passive_min_samples=0, pose_near_share=0)
    report = replay(frames, [codes.HEAD_LEFT], config)
    assert report["result"]["gestures"][0]["gesture_status"] == codes.MATCH
    confirmed = [e for e in report["timeline"] if e["metrics"] and e["metrics"]["pose"]]
    assert len(calls) == 1 < len(confirmed)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", ["images/face_recognition/obama.jpg", "images/3ddfa_v2/JianzhuGuo.jpg"]
)
def test_a_tilted_card_cannot_open_its_mouth(photo, path):
    # The lower face of a tilted print follows its neutral view by one homography, whatever
    # the mesh draws of the lips there.
    frames = [analyze_rgb(f) for _, f in render_attack(face_print(photo(path)), STEEP_TILT, fps=10)]
    first, limit = frames[0], EngineConfig().mouth_plane_correlation_max
    lower = [correlation(first, o, MOUTH_ROW) for o in frames[1:] if o.has_face]
    assert lower and min(lower) > limit
