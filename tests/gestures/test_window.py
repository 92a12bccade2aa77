"""FrameWindow: which frames go to analysis and in which order their answers are fed."""

from __future__ import annotations

import pytest

from gestures.window import FrameWindow, Refusal


def window(max_in_flight=2, timeout_ms=3000):
    return FrameWindow(max_in_flight, timeout_ms)


def test_frames_past_the_limit_are_busy_until_a_slot_frees():
    w = window()
    assert w.admit(1, 0, "a", accepting=True) is None
    assert w.admit(2, 10, "b", accepting=True) is None
    assert w.admit(3, 20, "c", accepting=True) == Refusal.BUSY
    assert w.answer(1, {"ok": True})
    assert w.next_ready().seq == 1
    assert w.admit(3, 30, "c", accepting=True) is None


def test_old_and_repeated_frames_are_stale():
    w = window(max_in_flight=3)
    assert w.admit(5, 0, "a", accepting=True) is None
    assert w.admit(5, 1, "a", accepting=True) == Refusal.STALE  # already in flight
    w.answer(5, {})
    w.fed(w.next_ready().seq)
    assert w.admit(4, 2, "x", accepting=True) == Refusal.STALE  # older than what was fed
    assert w.admit(5, 2, "x", accepting=True) == Refusal.STALE
    assert w.admit(6, 2, "x", accepting=True) is None


def test_a_run_that_takes_no_frames_pauses_them_before_anything_else():
    w = window()
    assert w.admit(1, 0, "a", accepting=False) == Refusal.PAUSED
    assert w.frames == {}


def test_an_answer_that_overtakes_an_older_frame_waits_for_it():
    w = window()
    w.admit(1, 0, "a", accepting=True)
    w.admit(2, 10, "b", accepting=True)
    assert w.answer(2, "second")
    assert w.next_ready() is None  # 1 is still in analysis
    assert w.answer(1, "first")
    assert [w.next_ready().answer, w.next_ready().answer] == ["first", "second"]
    assert w.next_ready() is None


def test_frames_never_answered_are_lost_after_the_timeout_and_their_answer_ignored():
    w = window(timeout_ms=3000)
    w.admit(1, 0, "a", accepting=True)
    w.admit(2, 2000, "b", accepting=True)
    assert w.give_up(2999) == []
    assert w.give_up(3001) == [1]
    assert w.answer(1, "late") is False  # given up: a late answer is dropped
    w.answer(2, "on time")
    assert w.next_ready().seq == 2  # the lost frame no longer holds it back
    assert w.give_up(10_000) == []


def test_an_answered_frame_is_never_lost_and_a_second_answer_is_ignored():
    w = window()
    w.admit(1, 0, "a", accepting=True)
    w.admit(2, 0, "b", accepting=True)
    assert w.answer(2, "x")
    assert w.answer(2, "y") is False
    assert w.give_up(10_000) == [1]
    assert w.next_ready().answer == "x"


def test_one_scored_frame_in_flight_at_a_time():
    w = window(max_in_flight=3)
    w.admit(1, 0, "a", accepting=True, passive_due=True)
    w.admit(2, 0, "b", accepting=True, passive_due=True)
    assert [w.get(1).passive, w.get(2).passive] == [True, False]
    w.answer(1, {})
    w.next_ready()
    w.admit(3, 0, "c", accepting=True, passive_due=True)
    assert w.get(3).passive


def test_the_frame_keeps_its_arrival_time_and_payload():
    w = window()
    w.admit(7, 1234, "jpeg", accepting=True)
    w.answer(7, "obs")
    frame = w.next_ready()
    assert (frame.seq, frame.received_ms, frame.payload, frame.answer) == (7, 1234, "jpeg", "obs")


@pytest.mark.parametrize(("limit", "timeout"), [(0, 1000), (2, 0)])
def test_bad_limits_are_refused(limit, timeout):
    with pytest.raises(ValueError):
        FrameWindow(limit, timeout)


def test_the_engine_clock_cuts_an_outage_out():
    from gestures.window import OutageClock

    clock = OutageClock(resume_gap_ms=200)
    assert [clock.place(t) for t in (0, 100, 200)] == [0, 100, 200]
    clock.outage_ended()
    assert clock.place(30_200) == 400  # 30 s without analysis: placed just after the last
    assert clock.place(30_300) == 500  # and the clock runs on from there
    clock.outage_ended()
    assert clock.place(30_400) == 600  # a short gap is kept as it was
