"""The session's reference frame (the face a merchant downloads, `GET .../images`, to compare
with an ID) is never one the passive check found HIGH, and one it scored live wins over any it
did not score.

The attack: a picture of the victim is shown while the page positions the face, then put away,
and the attacker makes the gestures live. The gestures match, and the attacker's own frames keep
the session's median passive score live. The sharpest frontal frame of the run, the picture,
would have become the reference. (`verify_image` already compares every gesture's audit frame
too, so a session created with it fails on the attacker's face; a merchant comparing the
reference itself would not.) `gestures.passive.rank_as_reference`.
"""

from __future__ import annotations

import pytest

from bench.dataset import PAGE, seed_for, variant_frame
from gestures import codes
from gestures.config import EngineConfig
from tests.workers.test_clip_regressions import variant_frames
from workers.analysis import analyze_rgb
from workers.replay import replay

PICTURE = "spoof/silent_face/image_F2.jpg"  # a face on a phone screen, filmed (dev split)
LIVE = "lp_d12_turns_up_mouth#32-48"  # a real left turn (dev split)
PHOTO_S = 0.6  # how long the picture is shown, at 10 frames/s


@pytest.fixture(scope="module")
def picture_then_live(shared_data, photo):
    """(index, t_ms, observation): the picture for PHOTO_S (indices from 1000), then the live
    clip's attempt as the page sends it, every frame scored as the server would score it."""
    picture = analyze_rgb(variant_frame(photo(PICTURE), PAGE, seed_for(PICTURE)), passive=True)
    frames = [(1000 + i, i * 100, picture) for i in range(int(PHOTO_S * 10))]
    live = variant_frames(shared_data, LIVE, "page", passive=True)
    start, first = frames[-1][1] + 100, live[0][1]
    return frames + [(index, start + t_ms - first, obs) for index, t_ms, obs in live]


@pytest.mark.slow
def test_a_picture_shown_while_positioning_never_becomes_the_reference(picture_then_live):
    picture = picture_then_live[0][2]
    assert picture.live is not None and 1 - picture.live >= EngineConfig().passive_spoof_high
    report = replay(picture_then_live, [codes.HEAD_LEFT], max_attempts=1)
    # The live attacker passes the gestures and the passive median...
    assert report["result"]["gestures"][0]["gesture_status"] == codes.MATCH
    assert report["status"] == "success"
    # ...but the reference is one of the attacker's live frames, never the picture.
    assert report["reference_frame"] is not None
    assert report["reference_frame"] < 1000


@pytest.mark.slow
def test_without_the_rule_the_picture_would_be_the_reference(picture_then_live):
    # What the rule fixes: with every frame a candidate (as when the passive check is off),
    # the picture, sharper and more frontal than the live frames, is chosen.
    report = replay(picture_then_live, [codes.HEAD_LEFT], EngineConfig(passive_min_samples=0), 1)
    assert report["reference_frame"] is not None and report["reference_frame"] >= 1000
