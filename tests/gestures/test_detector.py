"""One challenge's tracker (gestures.detector) and its hold timing, on synthetic frames.

The frames are tests/support/faces.py's face at known angles and openness, turned into
observations by the real geometry; the photo is the same face moved by a homography, with the
angle the face mesh would report for it.
"""

from __future__ import annotations

import dataclasses

import pytest

from gestures import codes
from gestures import landmarks as lm
from gestures.config import EngineConfig
from gestures.detector import PENDING, GestureTracker, Outcome
from gestures.holds import Hold
from gestures.observation import FrameObservation
from gestures.planar import face_warp, shape_warp
from gestures.reading import Baseline
from tests.support import faces

STEP_MS = 100  # 10 frames a second, about what the page sends


# --- Hold -----------------------------------------------------------------------------------


def seen(*times: int) -> Hold:
    hold = Hold()
    for t in times:
        hold.see(True, t)
    return hold


def test_a_hold_counts_the_last_frame_as_lasting_one_frame_interval():
    # At 10 fps, frames at 0 and 100 ms cover 200 ms: a 200 ms hold is two frames.
    assert seen(0, 100).held(100, 200)
    assert not seen(0, 100).held(100, 201)


def test_a_hold_needs_the_same_real_time_at_any_frame_rate():
    thirty_fps = [0, 33, 67, 100, 133, 167]
    assert not seen(*thirty_fps[:5]).held(133, 200)  # 133 + 33 ms
    assert seen(*thirty_fps).held(167, 200)  # 167 + 34 ms


def test_one_frame_is_never_a_hold_however_late_it_is_asked():
    assert not seen(0).held(5000, 200)
    assert seen(0).held(0, 0)  # except a hold of no time at all (a blink)


def test_a_long_gap_between_frames_counts_as_at_most_150_ms():
    # After a 300 ms gap the last frame is taken to last 150 ms, not 300.
    assert not seen(0, 300).held(300, 451)
    assert seen(0, 300).held(300, 450)


def test_a_frame_without_the_label_starts_the_hold_again():
    hold = seen(0, 100, 200)
    hold.see(False, 300)
    hold.see(True, 400)
    assert hold.since == 400 and hold.frames == 1
    assert not hold.held(400, 200)
    hold.see(True, 500)
    assert hold.held(500, 200)


def test_a_clock_that_steps_back_adds_no_time():
    hold = seen(1000, 900)
    assert hold.interval == 0
    assert not hold.held(900, 1)


def test_an_unreadable_frame_is_bridged_once_and_adds_no_time():
    # 15 fps: a frame at 66 ms could not be read (the face's shape jittered); the hold goes
    # on, and the frame after it stands for one interval, not the two it spans.
    hold = seen(0)
    assert hold.bridge(66)
    assert not hold.bridge(100)  # not twice in a row
    hold.see(True, 132)
    assert hold.frames == 2 and hold.since == 0
    assert not hold.held(132, 200)  # 132 + 66 ms, as three readable frames would be
    hold.see(True, 198)
    assert hold.held(198, 200)


def test_no_bridge_without_a_hold_or_after_a_long_gap():
    assert not Hold().bridge(0)
    assert not seen(0).bridge(151)
    hold = seen(0)
    hold.see(False, 66)
    assert not hold.bridge(100)


def test_would_hold_looks_ahead_without_seeing_the_frame():
    hold = seen(0)
    assert hold.would_hold(100, 200)
    assert not hold.would_hold(50, 200)
    assert (hold.since, hold.frames, hold.last) == (0, 1, 0)
    assert not hold.held(100, 200)


# --- GestureTracker --------------------------------------------------------------------------


def frame(*, yaw: float = 0.0, pitch: float = 0.0, mouth: float = 0.03) -> FrameObservation:
    return faces.observation(faces.rows(faces.posed(faces.face(mouth=mouth), yaw=yaw, pitch=pitch)))


def photo(yaw: float, angle: float) -> FrameObservation:
    """The frontal face printed on a card swung by `angle` degrees; the face mesh, fooled by
    the printed face, reports a head turned to `yaw`."""
    card = faces.through(faces.card_tilt(angle), faces.rows(faces.face()))
    return dataclasses.replace(faces.observation(card), yaw=yaw)


def feed(
    tracker: GestureTracker, frames: list[FrameObservation], start_ms: int, step_ms: int = STEP_MS
) -> list[Outcome]:
    """Each frame `step_ms` after the one before, the first at `start_ms`."""
    return [tracker.update(obs, start_ms + i * step_ms) for i, obs in enumerate(frames)]


def neutral_held(gesture: str, config: EngineConfig | None = None) -> GestureTracker:
    tracker = GestureTracker(gesture, config or EngineConfig())
    outcomes = feed(tracker, [frame()] * 3, 0)  # 0, 100, 200 ms: a 300 ms neutral hold
    assert [o.neutral for o in outcomes] == [False, False, True]
    assert tracker.baseline is not None
    return tracker


def test_nothing_counts_before_a_neutral_pose_is_held():
    tracker = GestureTracker(codes.HEAD_LEFT, EngineConfig())
    # Already turned when the challenge opens: no baseline, so no match, however long.
    outcomes = feed(tracker, [frame(yaw=-30)] * 20, 0)
    assert {o.status for o in outcomes} == {PENDING}
    assert tracker.baseline is None


def test_a_real_turn_held_after_neutral_matches():
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=-3), frame(yaw=-25), frame(yaw=-25)], 300)
    assert [o.status for o in outcomes] == [PENDING, PENDING, codes.MATCH]
    assert outcomes[-1].detected == codes.HEAD_LEFT
    reading = outcomes[-1].reading
    assert reading is not None and reading.pose == codes.HEAD_LEFT and reading.parallax.x > 0


def test_a_turn_short_of_its_threshold_never_matches():
    tracker = neutral_held(codes.HEAD_LEFT)
    # Under turn_yaw_deg = 15: on the way to a turn for two seconds, never a whole one.
    outcomes = feed(tracker, [frame(yaw=-12)] * 20, 300)
    assert {o.status for o in outcomes} == {PENDING}


def test_a_photo_turned_in_the_hand_never_matches_a_turn():
    # The mesh reads the printed face as turned 25 degrees, but every landmark follows the
    # card's homography: no nose parallax, so no turn, for as long as the photo is shown.
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [photo(yaw=-25, angle=a) for a in [10, 20, 30] * 10], 300)
    assert {o.status for o in outcomes} == {PENDING}
    readings = [o.reading for o in outcomes]
    assert all(r is not None and r.pose is None and r.flat for r in readings)


def test_a_photo_swung_wide_gains_nothing_from_the_recent_frames():
    # Measured again from a recent frame (the neutral may have drifted), the card still moves
    # no nose: from the frame where the mesh read it nearly frontal to the one it reads turned
    # 25 degrees, every landmark follows one homography.
    tracker = neutral_held(codes.HEAD_LEFT)
    swings = [photo(yaw=y, angle=a) for y, a in [(-3, 5), (-14, 15), (-25, 30)] * 10]
    outcomes = feed(tracker, swings, 300)
    assert {o.status for o in outcomes} == {PENDING}
    turned = [o.reading for o in outcomes if o.reading is not None and o.reading.d_yaw <= -15]
    assert turned and all(r.pose is None and r.flat for r in turned)


@pytest.mark.parametrize(("share", "status"), [(0.5, codes.MATCH), (0.0, PENDING)])
def test_a_brisk_turn_whole_on_one_frame_is_held_from_the_frame_on_its_way(share, status):
    # At 8 fps a brisk look shows its whole extent on one frame, after one on its way there
    # (9 degrees: more than half of turn_move_deg = 10 past neutral, the nose moved with it).
    # Frames at 300 and 425 ms span 250 ms; the turned one alone would be no hold.
    tracker = neutral_held(codes.HEAD_LEFT, EngineConfig(pose_near_share=share))
    frames = [frame(yaw=-9), frame(yaw=-25), frame(yaw=-9), frame(yaw=0)]
    outcomes = feed(tracker, frames, 300, 125)
    assert outcomes[1].status == status
    reading = outcomes[1].reading
    assert reading is not None and reading.pose == codes.HEAD_LEFT


def test_frames_on_the_way_back_never_complete_a_hold():
    # The whole turn, then on the way back: the match is decided on a whole frame only (the
    # one the pixels are asked about, and the one the audit keeps).
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=-25), frame(yaw=-9), frame(yaw=-9)], 300, 125)
    assert {o.status for o in outcomes} == {PENDING}


def test_a_frame_halfway_keeps_a_hold_between_two_whole_ones():
    # A wobble within the turn (back to 9 degrees for a frame) keeps the hold going; the
    # second whole frame completes it.
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=-25), frame(yaw=-9), frame(yaw=-25)], 300, 125)
    assert [o.status for o in outcomes] == [PENDING, PENDING, codes.MATCH]


def test_frames_on_the_way_hold_nothing_until_the_whole_turn_is_seen():
    tracker = neutral_held(codes.HEAD_LEFT)
    # A second halfway there, then the whole turn on one frame: the hold began on the way, so
    # the whole frame completes it, but the halfway frames alone never did.
    outcomes = feed(tracker, [frame(yaw=-9)] * 10 + [frame(yaw=-25)], 300)
    assert [o.status for o in outcomes] == [PENDING] * 10 + [codes.MATCH]


def test_a_frame_back_at_neutral_ends_the_hold_begun_on_the_way():
    tracker = neutral_held(codes.HEAD_LEFT)
    frames = [frame(yaw=-9), frame(yaw=0), frame(yaw=-25)]
    outcomes = feed(tracker, frames, 300, 125)
    assert {o.status for o in outcomes} == {PENDING}


@pytest.mark.parametrize(("first", "status"), [("head", codes.MATCH), ("card", PENDING), ("short", PENDING)])  # fmt: skip
def test_a_frame_on_the_way_must_move_the_nose_as_a_head_does(first, status):
    # A card swung 9 degrees moves no nose against its plane, and a head the mesh reads at 9
    # degrees whose nose moved only as for 3 moved too little: neither is on the way to a
    # turn, so a whole turn after it must be held by whole frames alone.
    tracker = neutral_held(codes.HEAD_LEFT)
    first = {
        "head": frame(yaw=-9),
        "card": photo(yaw=-9, angle=8),
        "short": dataclasses.replace(frame(yaw=-3), yaw=-9),
    }[first]
    outcomes = feed(tracker, [first, frame(yaw=-25)], 300, 125)
    assert outcomes[1].status == status


def test_a_whole_turn_the_pixels_refuse_ends_the_hold(monkeypatch):
    # On the way, then a whole turn that would complete the hold: the pixels are asked and
    # refuse it (a picture's), which ends the hold; the next whole frame starts a new one.
    asked = []

    def refuse_first(base, obs, reading, config):
        asked.append(reading.pose)
        if len(asked) == 1:
            return dataclasses.replace(reading, pose=None, flat=True)
        return reading

    monkeypatch.setattr("gestures.detector.confirm_pixels", refuse_first)
    tracker = neutral_held(codes.HEAD_LEFT)
    frames = [frame(yaw=-9), frame(yaw=-25), frame(yaw=-25)]
    outcomes = feed(tracker, frames, 300, 125)
    assert [o.status for o in outcomes] == [PENDING, PENDING, PENDING]
    assert asked == [codes.HEAD_LEFT]  # the third frame alone completes nothing: not asked


def test_a_clearly_different_turn_held_fails_the_challenge():
    tracker = neutral_held(codes.HEAD_LEFT)
    # 30 degrees right: twice its threshold, eyes open, mouth still; held 400 ms = 4 frames.
    outcomes = feed(tracker, [frame(yaw=30)] * 4, 300)
    assert [o.status for o in outcomes] == [PENDING, PENDING, PENDING, codes.NOT_MATCH]
    assert outcomes[-1].detected == codes.HEAD_RIGHT


def test_a_head_that_drifts_past_the_clear_factor_fails_nothing():
    """Talking with the chin creeping up, a degree every 300 ms, to 14 above the neutral and
    held there: the last frames are past 1.5x the nod threshold from the neutral, none is a
    movement made in the last 2 s (`clear_other_recent_ms`; `lp_d9_glasses_blink`)."""
    tracker = neutral_held(codes.HEAD_LEFT)
    creep = [frame(pitch=i // 3) for i in range(1, 43)]  # 0 .. 14 degrees over 4.2 s
    outcomes = feed(tracker, creep + [frame(pitch=14)] * 20, 300)
    assert {o.status for o in outcomes} == {PENDING}
    assert tracker.detected == codes.HEAD_UP  # still reported if the challenge times out


@pytest.mark.parametrize(("jump", "status"), [(24, PENDING), (27, codes.NOT_MATCH)])
def test_after_a_drift_a_look_counts_from_where_the_head_was_lately(jump, status):
    """Crept to 14 degrees up and rested there over 2 s, then a look up: to 24 is 10
    degrees from where the head was lately (short of 1.5 x 8), to 27 is 13 (past it), though
    both are far past it from the neutral."""
    tracker = neutral_held(codes.HEAD_LEFT)
    creep = [frame(pitch=i // 3) for i in range(1, 43)] + [frame(pitch=14)] * 25
    outcomes = feed(tracker, creep + [frame(pitch=jump)] * 6, 300)
    assert {o.status for o in outcomes[:-6]} == {PENDING}
    assert outcomes[-1].status == status
    if status == codes.NOT_MATCH:
        assert outcomes[-1].detected == codes.HEAD_UP


def test_a_new_face_forgets_where_the_last_one_was():
    tracker = neutral_held(codes.HEAD_LEFT)
    feed(tracker, [frame(pitch=6)] * 5, 300)
    assert len(tracker._angles) > 1
    elsewhere = faces.observation(faces.rows(faces.face(), shift=(250.0, 0.0)))
    outcomes = feed(tracker, [elsewhere] * 3, 800)
    assert outcomes[-1].neutral and tracker._angles == [(1000, 0.0, 0.0)]


def test_a_different_turn_within_the_clear_factor_only_waits():
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=20)] * 20, 300)  # past its threshold, not 1.5x of it
    assert {o.status for o in outcomes} == {PENDING}
    assert tracker.detected == codes.HEAD_RIGHT  # reported if the challenge times out


def test_an_open_mouth_held_matches_the_mouth_gesture():
    tracker = neutral_held(codes.HEAD_OPEN_MOUTH)
    outcomes = feed(tracker, [frame(mouth=0.1), frame(mouth=0.5), frame(mouth=0.5)], 300)
    assert [o.status for o in outcomes] == [PENDING, PENDING, codes.MATCH]


def test_closing_the_mouth_counts_only_after_it_was_open():
    tracker = neutral_held(codes.HEAD_CLOSE_MOUTH)
    # Closed from the start: the gesture is a change, so nothing happens.
    assert {o.status for o in feed(tracker, [frame()] * 5, 300)} == {PENDING}
    assert not tracker.primed
    opened = feed(tracker, [frame(mouth=0.5)] * 3, 800)
    assert tracker.primed and {o.status for o in opened} == {PENDING}
    closed = feed(tracker, [frame(mouth=0.03)], 1100)
    assert closed[0].status == codes.MATCH


@pytest.mark.parametrize(("share", "closes"), [(0.25, True), (0.0, False)])
def test_lips_back_most_of_the_way_from_the_widest_opening_close_the_mouth(share, closes):
    """After a word the lips often rest a little apart (above `mouth_closed_max`), and a page
    at 5 fps may miss the moment they met: back `mouth_closed_share` of the way from the
    widest opening (0.6) to neutral (0.03) counts as closed."""
    tracker = neutral_held(codes.HEAD_CLOSE_MOUTH, EngineConfig(mouth_closed_share=share))
    feed(tracker, [frame(mouth=0.6)] * 3, 300)
    assert tracker.primed
    # 0.25 is still well open (0.22 above neutral, more than a quarter of 0.57)...
    assert feed(tracker, [frame(mouth=0.25)], 600)[0].status == PENDING
    # ...0.15 is past the absolute limit (0.12) but back most of the way.
    closed = feed(tracker, [frame(mouth=0.15)], 700)[0]
    assert closed.status == (codes.MATCH if closes else PENDING)


def test_a_mouth_still_open_past_the_open_limit_is_never_closed():
    """A user whose neutral mouth is half open (0.3) opens wide (0.9): 0.44 is back three
    quarters of the way, but still at least `mouth_open_min` (0.35): not closed."""
    tracker = GestureTracker(codes.HEAD_CLOSE_MOUTH, EngineConfig())
    feed(tracker, [frame(mouth=0.3)] * 3, 0)
    assert tracker.baseline is not None
    feed(tracker, [frame(mouth=0.9)] * 3, 300)
    assert tracker.primed
    assert feed(tracker, [frame(mouth=0.44)], 600)[0].status == PENDING
    assert feed(tracker, [frame(mouth=0.32)], 700)[0].status == codes.MATCH  # back at rest


def test_a_face_that_jumps_across_the_frame_must_hold_neutral_again():
    tracker = neutral_held(codes.HEAD_LEFT)
    elsewhere = faces.observation(faces.rows(faces.face(), shift=(250.0, 0.0)))
    outcomes = feed(tracker, [elsewhere] * 3, 300)
    assert [o.neutral for o in outcomes] == [False, False, True]


@pytest.mark.parametrize(("gap_ms", "asked"), [(100, True), (33, False)])
def test_half_closed_lids_are_asked_of_the_pixels_only_on_sparse_frames(monkeypatch, gap_ms, asked):
    # Lids at 0.75 of neutral: a sparse frame (10 fps) asks the pixels; at 30 fps the frames
    # around a blink show it closed, and nothing is asked. A frame without a face in between
    # counts as a frame: the gap is between frames, not between faces.
    calls = []
    monkeypatch.setattr(
        "gestures.detector.confirm_eyes", lambda base, obs, reading, c: calls.append(1) or reading
    )
    tracker = neutral_held(codes.HEAD_00)
    half = faces.observation(faces.rows(faces.face(eye_right=0.225, eye_left=0.225)))
    tracker.note_frame(300)  # no face
    tracker.update(half, 300 + gap_ms)
    assert bool(calls) == asked


@pytest.mark.parametrize(("pixels_agree", "status"), [(True, codes.MATCH), (False, PENDING)])
def test_a_wink_counts_only_when_the_pixels_confirm_it(monkeypatch, pixels_agree, status):
    # The right eye shut, the left open: the mesh reads the wink; the pixels decide
    # (`gestures.lids.confirm_wink`; the synthetic frames carry none, so it is stood in for).
    asked = []

    def confirm(base, obs, reading, config):
        asked.append(reading.eyes)
        return reading if pixels_agree else dataclasses.replace(reading, eyes=None)

    monkeypatch.setattr("gestures.detector.confirm_wink", confirm)
    tracker = neutral_held(codes.HEAD_01)
    wink = faces.observation(faces.rows(faces.face(eye_right=0.1, eye_left=0.3)))
    assert tracker.update(wink, 300).status == status
    assert asked == ["01"]


def test_a_hold_begun_by_one_face_does_not_carry_over_to_the_next():
    tracker = neutral_held(codes.HEAD_LEFT)
    assert tracker.update(frame(yaw=-25), 300).status == PENDING  # face A starts turning
    other = faces.observation(faces.rows(faces.face(), shift=(250.0, 0.0)))
    other_turned = faces.observation(
        faces.rows(faces.posed(faces.face(), yaw=-25), shift=(250.0, 0.0))
    )
    outcomes = feed(tracker, [other] * 3, 400)  # face B holds its own neutral
    assert outcomes[-1].neutral
    assert tracker.update(other_turned, 700).status == PENDING  # not A's hold completed
    assert tracker.update(other_turned, 800).status == codes.MATCH


@pytest.mark.parametrize("gesture", [codes.HEAD_LEFT, codes.HEAD_UP])
def test_an_interrupted_hold_must_be_held_again(gesture):
    tracker = neutral_held(gesture)
    moved = frame(yaw=-25) if gesture == codes.HEAD_LEFT else frame(pitch=15)
    assert tracker.update(moved, 300).status == PENDING
    tracker.interrupt()  # a frame without a usable face
    assert tracker.update(moved, 400).status == PENDING
    assert tracker.update(moved, 500).status == codes.MATCH


def test_the_neutral_patch_is_not_a_blink_starting():
    """The eyes' neutral is the hold's median; its pixels must show the same, so a hold that
    ends on lids already closing keeps the patch and landmarks of its last frame with open
    eyes, else closed lids would look like the neutral's own (`confirm_closed`)."""
    open_eyes = [
        dataclasses.replace(frame(yaw=i), eye_right=0.30, eye_left=0.31, patch=bytes([i]))
        for i in range(3)
    ]
    closing = dataclasses.replace(frame(yaw=3), eye_right=0.18, eye_left=0.18, patch=b"closing")
    tracker = GestureTracker(codes.HEAD_11, EngineConfig())
    feed(tracker, [*open_eyes, closing], 0)  # the hold completes on the closing frame
    baseline = tracker.baseline
    assert baseline is not None
    assert (baseline.eye_right, baseline.eye_left) == (0.30, 0.31)
    assert baseline.patch == bytes([2])  # the last of the open frames, with its landmarks
    assert baseline.patch_rows == open_eyes[2].landmarks != closing.landmarks
    # 0 keeps the last frame (what the neutral's pixels were before)
    last = Baseline.over([*open_eyes, closing], 0.0)
    assert (last.patch, last.patch_rows) == (b"closing", closing.landmarks)


def test_a_neutral_hold_after_a_gap_uses_only_the_frames_after_it():
    """A frame without a face restarts the neutral hold from nothing: the frames before the
    gap set neither its figures nor its pixels."""
    before = [dataclasses.replace(frame(), eye_right=0.40, eye_left=0.40, patch=b"before")] * 3
    after = [dataclasses.replace(frame(), eye_right=0.30, eye_left=0.30, patch=b"after")] * 4
    tracker = GestureTracker(codes.HEAD_LEFT, EngineConfig())
    feed(tracker, before[:2], 0)
    tracker.interrupt()
    feed(tracker, after, 300)
    baseline = tracker.baseline
    assert baseline is not None
    assert (baseline.eye_right, baseline.patch) == (0.30, b"after")


def raised_brows(obs: FrameObservation, lift: float) -> FrameObservation:
    """The same face with its brows `lift` pixels higher: an expression, the head still."""
    assert obs.landmarks is not None
    rows = [list(row) for row in obs.landmarks]
    for name in ("brow_in_r", "brow_in_l", "brow_mid_r", "brow_mid_l", "brow_out_r", "brow_out_l"):
        rows[lm.ROW[name]][1] -= lift
    return dataclasses.replace(obs, landmarks=rows)


def test_a_neutral_hold_survives_an_expression_but_not_a_tilt():
    """The hold asks the face to keep its 2D shape, as the readings do: the shape a tilt
    changes everywhere and an expression only in part (`liveportrait_d7` squeezing her lids
    shut warps the upper face by 1.10-1.14 from the hold's first frame, the skull by 1.01).
    A card tilted during the hold warps both alike and restarts it."""
    config = EngineConfig()
    start = frame()
    brows = raised_brows(start, 12.0)
    assert start.landmarks is not None and brows.landmarks is not None
    assert face_warp(start.landmarks, brows.landmarks) > config.neutral_warp_max
    tracker = GestureTracker(codes.HEAD_11, config)
    outcomes = feed(tracker, [start, brows, brows], 0)
    assert [o.neutral for o in outcomes] == [False, False, True]
    tilted = photo(yaw=0, angle=25)
    assert tilted.landmarks is not None
    assert shape_warp(start.landmarks, tilted.landmarks) > config.neutral_warp_max
    tracker = GestureTracker(codes.HEAD_11, config)
    outcomes = feed(tracker, [start, tilted, tilted], 0)
    assert not any(o.neutral for o in outcomes)  # the tilt restarted the hold at 100 ms


def test_a_nod_after_the_head_drifted_is_measured_from_where_it_rested():
    """The head settles 6 degrees up after its neutral, then nods 12 degrees down: -6 from
    the neutral is short of `nod_pitch_deg`, but the nod is whole from where it rested
    (`confirm_from_recent`; `lp_d14_blinks`)."""
    tracker = neutral_held(codes.HEAD_DOWN)
    outcomes = feed(tracker, [frame(pitch=6)] * 5 + [frame(pitch=-6)] * 3, 300)
    assert outcomes[-1].status == codes.MATCH
    reading = outcomes[-1].reading
    assert reading is not None and reading.d_pitch == pytest.approx(-6, abs=0.5)


def test_a_look_down_and_back_is_no_look_up():
    # Back from 9 degrees down to 2 up is 11 degrees of lift, but the head is not clearly on
    # the upper side of its neutral: half a nod past it at least.
    tracker = neutral_held(codes.HEAD_UP)
    outcomes = feed(tracker, [frame(pitch=-9)] * 3 + [frame(pitch=2)] * 5, 300)
    assert {o.status for o in outcomes} == {PENDING}


def test_a_drifted_photo_still_needs_parallax():
    # A card turned 10 degrees one way and then 10 the other: the mesh reads a 20-degree
    # turn from where it rested, but nothing moves against the printed face's plane.
    tracker = neutral_held(codes.HEAD_LEFT)
    frames = [photo(yaw=10, angle=-10)] * 5 + [photo(yaw=-16, angle=16)] * 5
    outcomes = feed(tracker, frames, 300)
    assert {o.status for o in outcomes} == {PENDING}


def test_a_turn_made_with_the_chin_up_is_a_turn():
    # 20 degrees left with 11 up: the nod's axis moved further past its threshold (1.38 of
    # it, the turn's 1.33), but the challenge's own axis is confirmed: each on its own axis.
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=-20, pitch=11)] * 3, 300)
    assert outcomes[-1].status == codes.MATCH
    tracker = neutral_held(codes.HEAD_UP)  # and the other way round
    outcomes = feed(tracker, [frame(yaw=-20, pitch=11)] * 3, 300)
    assert outcomes[-1].status == codes.MATCH


def test_a_diagonal_answers_the_challenge_that_asks_for_either_of_its_axes():
    # 20 left with 14 up: the nod's axis is past `clear_other_factor` (1.75 of its threshold),
    # but the movement makes the turn asked for, so it is not a clearly different gesture.
    for gesture in (codes.HEAD_LEFT, codes.HEAD_UP):
        tracker = neutral_held(gesture)
        outcomes = feed(tracker, [frame(yaw=-20, pitch=14)] * 3, 300)
        assert outcomes[-1].status == codes.MATCH
    # A look up alone, held, still fails a turn challenge: clearly different.
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(pitch=14)] * 6, 300)
    assert outcomes[-1].status == codes.NOT_MATCH and outcomes[-1].detected == codes.HEAD_UP


def test_a_drifted_turn_must_still_end_away_from_frontal():
    # Settled 10 degrees right, then 6 left of the neutral: 16 degrees moved, past half a
    # turn from neutral, but 6 from frontal is no turn (`turn_yaw_deg` 15).
    tracker = neutral_held(codes.HEAD_LEFT)
    outcomes = feed(tracker, [frame(yaw=10)] * 5 + [frame(yaw=-6)] * 4, 300)
    assert {o.status for o in outcomes} == {PENDING}
