"""The replay command runs the real model over the shared clips: gestures match, negatives don't."""

from __future__ import annotations

import itertools
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gestures import codes

FPS = "10"


def run(shared_data, clip, gestures, fps=FPS):
    out = StringIO()
    path = str(shared_data / "videos" / clip)
    call_command("liveness_replay", path, "--gestures", gestures, "--fps", fps, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "gesture"),
    [
        ("lp_d18_mouth_open.mp4", codes.HEAD_OPEN_MOUTH),
        ("lp_d3_down_mouth.mp4", codes.HEAD_DOWN),
        ("lp_d12_turns_up_mouth.mp4", codes.HEAD_LEFT),
        ("lp_d12_turns_up_mouth.mp4", codes.HEAD_RIGHT),
        ("lp_d14_blinks.mp4", codes.HEAD_00),
    ],
)
def test_the_visible_gesture_matches(shared_data, clip, gesture):
    report = run(shared_data, clip, gesture)
    assert report["status"] == "success", report["result"]
    assert report["result"]["gestures"][0]["gesture_status"] == codes.MATCH


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "gestures"),
    [
        ("lp_d0_still.mp4", "HEAD_LEFT"),
        ("lp_d0_still.mp4", "HEAD_OPEN_MOUTH"),
        ("lp_s18_idle.mp4", "HEAD_LEFT"),
        ("lp_s18_idle.mp4", "HEAD_RIGHT"),
        ("fr_hamilton_multiface.mp4", "HEAD_LEFT"),
        ("fr_hamilton_multiface.mp4", "HEAD_OPEN_MOUTH"),
    ],
)
def test_negatives_do_not_match(shared_data, clip, gestures):
    report = run(shared_data, clip, gestures)
    assert report["status"] == "failed"
    assert report["result"]["gesture_status"] != codes.MATCH


def test_the_report_has_a_timeline_entry_per_analysed_frame(shared_data):
    report = run(shared_data, "lp_d0_still.mp4", "HEAD_LEFT,HEAD_UP", fps="5")
    assert set(report) == {"status", "result", "reference_frame", "timeline"}
    timeline = report["timeline"]
    assert len(timeline) >= 10
    assert [e["t_ms"] for e in timeline] == sorted(e["t_ms"] for e in timeline)
    assert all(b["t_ms"] - a["t_ms"] >= 150 for a, b in itertools.pairwise(timeline))  # --fps 5
    first = timeline[0]
    assert {"index", "t_ms", "angles", "openness", "guidance", "events"} <= set(first)
    assert len(report["result"]["gestures"]) == 2


def test_bad_input_is_a_clear_error(shared_data, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(shared_data, "missing.mp4", "HEAD_LEFT")
    with pytest.raises(CommandError, match="unknown gesture"):
        run(shared_data, "lp_d0_still.mp4", "HEAD_SIDEWAYS")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    with pytest.raises(CommandError):
        call_command("liveness_replay", str(junk), gestures="HEAD_LEFT", stdout=StringIO())


@pytest.mark.slow
def test_a_hand_gesture_replays_from_a_clip_of_the_shared_hand_photos(shared_data, tmp_path):
    import cv2

    from tests.support.hand_clips import run_frames

    frames = run_frames(shared_data, "5", 26, 40, fps=10, photo_s=0.3, lead_in_s=1.5, loops=1)
    path = tmp_path / "hand.avi"
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    out = StringIO()
    call_command("liveness_replay", str(path), "--gestures", "HAND_01000", stdout=out)
    report = json.loads(out.getvalue())
    assert report["result"]["gestures"][0]["gesture_status"] == codes.MATCH, report["result"]
    seen = [e["fingers"] for e in report["timeline"] if e["fingers"]]
    assert ["00000"] in seen and ["01000"] in seen
    assert all(e["fingers"] is None for e in report["timeline"] if e["phase"] == "positioning")
