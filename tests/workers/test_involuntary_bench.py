"""`bench/involuntary.py`: the windows it opens challenges on, and what explains a failure."""

from __future__ import annotations

from bench import involuntary
from bench import labels as L
from gestures import codes


def test_windows_start_every_step_and_last_the_window():
    stamps = tuple(range(0, 12_000, 40))  # 12 s at 25 fps
    windows = involuntary.windows(stamps)
    starts = [stamps[first] for first, _ in windows]
    targets = range(0, 7_001, involuntary.STEP_MS)  # up to the last that fits 5 s
    assert len(starts) == len(targets)
    assert all(0 <= start - target < 40 for start, target in zip(starts, targets, strict=True))
    for first, last in windows:
        assert involuntary.WINDOW_MS - 40 <= stamps[last] - stamps[first] <= involuntary.WINDOW_MS


def test_a_clip_shorter_than_a_window_gets_none():
    assert involuntary.windows(tuple(range(0, 4_000, 40))) == []


def test_a_labelled_or_noted_movement_explains_itself_and_its_way_back():
    # lp_d3: a noted look up at 298-352, a labelled turn left at 240-280.
    assert {codes.HEAD_UP, codes.HEAD_DOWN} <= involuntary.shown("lp_d3_down_mouth", 300, 400)
    assert codes.HEAD_LEFT not in involuntary.shown("lp_d3_down_mouth", 300, 400)
    assert {codes.HEAD_LEFT, codes.HEAD_RIGHT} <= involuntary.shown("lp_d3_down_mouth", 200, 250)
    # A blink explains a closing, never a head movement.
    blink = involuntary.shown("lp_d0_still", 0, 100)
    assert codes.HEAD_00 in blink and not blink & set(codes.POSE_GESTURES)


def test_a_movement_begun_after_the_failure_explains_nothing():
    # lp_d3's noted look up starts at 298: a failure decided at 290 is not its doing.
    assert codes.HEAD_UP not in involuntary.shown("lp_d3_down_mouth", 250, 290)
    assert codes.HEAD_UP in involuntary.shown("lp_d3_down_mouth", 250, 300)


def test_every_noted_movement_is_a_head_movement_or_a_wink_of_a_known_clip():
    for movement in L.MOVEMENTS:
        assert movement.clip in L.PERSON
        assert movement.gesture in (*codes.POSE_GESTURES, codes.HEAD_01, codes.HEAD_10)
        assert movement.first <= movement.last
