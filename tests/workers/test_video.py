"""Clips come out upright, with their own timestamps."""

from __future__ import annotations

import itertools

import cv2

from workers.analysis import analyze_rgb
from workers.video import read_video


def test_a_clip_stored_sideways_comes_out_upright(shared_data):
    # A webcam selfie stored 848x480 with a 90-degree rotation flag.
    path = shared_data / "videos" / "more" / "proctoringai_center_left_center.mp4"
    assert cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_ORIENTATION_META) == 90
    frame = next(iter(read_video(path)))
    assert frame.rgb.shape[:2] == (848, 480)
    obs = analyze_rgb(frame.rgb)
    assert obs.has_face and abs(obs.roll) < 20  # an upright face, not one lying on its side


def test_thinning_keeps_the_clips_timestamps(shared_data):
    frames = list(read_video(shared_data / "videos" / "lp_d0_still.mp4", max_fps=10))
    gaps = [b.t_ms - a.t_ms for a, b in itertools.pairwise(frames)]
    assert frames[0].t_ms == 0 and min(gaps) >= 80 and max(gaps) <= 120
