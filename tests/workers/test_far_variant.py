"""The accuracy bench's `far` capture variant: a close-up clip turned into a face at a webcam's
distance (bench/dataset.py), which the bona fide figures and a regression test rely on."""

from __future__ import annotations

import numpy as np
import pytest

from bench.dataset import (
    FAR_FACE,
    PAGE,
    VARIANTS,
    clip_framing,
    clip_path,
    read_clip,
    variant_frame,
    without_black_bars,
)
from workers.analysis import analyze_rgb

FAR = {v.name: v for v in VARIANTS}["far"]


def test_black_bars_along_the_edges_are_cut_and_nothing_else():
    picture = np.full((40, 60, 3), 120, np.uint8)
    picture[10:12, 20:30] = 0  # a dark detail inside stays
    framed = np.zeros((50, 80, 3), np.uint8)
    framed[4:44, 10:70] = picture
    assert without_black_bars(framed) == (4, 44, 10, 70)
    assert without_black_bars(picture) == (0, 40, 0, 60)


def test_a_variant_that_places_the_face_needs_the_clips_framing():
    with pytest.raises(ValueError, match="framing"):
        variant_frame(np.zeros((48, 64, 3), np.uint8), FAR, 1)


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["lp_d0_still", "st_katiehill_turns", "tp_driving_turn"])
def test_the_far_variant_shows_one_face_at_the_far_distance_near_the_centre(shared_data, clip):
    path = clip_path(shared_data, clip)
    framing = clip_framing(path, FAR.face)
    assert framing.shrink < 0.6  # the clips are close-ups
    ((_, _, rgb),) = read_clip(path, {40})
    obs = analyze_rgb(variant_frame(rgb, FAR, 1, framing))
    assert obs.faces == 1 and obs.quality is not None and obs.box is not None
    assert obs.quality.face_size == pytest.approx(FAR_FACE, abs=0.02)
    assert abs(obs.quality.center_x) < 0.1 and abs(obs.quality.center_y) < 0.15
    # shrunk, not stretched: the face box keeps the shape it has on the page's own frame
    near = analyze_rgb(variant_frame(rgb, PAGE, 1))
    assert near.box is not None
    assert obs.box[3] / obs.box[2] == pytest.approx(near.box[3] / near.box[2], rel=0.05)
