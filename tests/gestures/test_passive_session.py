"""A passive session's run (gestures.passive_session) on timelines built from a recorded frame.

The frame is a real MediaPipe observation of lp_d0_still (a frontal man holding still); the
live probabilities are set per frame, as the anti-spoofing models would score them.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from gestures import codes
from gestures.config import EngineConfig
from gestures.observation import FrameObservation
from gestures.passive_session import PassiveRun

FRAME_MS = 100


@pytest.fixture
def neutral(recording) -> FrameObservation:
    return recording("lp_d0_still")[0][2]


def scored(obs: FrameObservation, live: float | None) -> FrameObservation:
    return dataclasses.replace(obs, live=live)


def feed_all(run, observations, start_ms=0):
    steps = []
    for i, obs in enumerate(observations):
        steps.append(run.feed(obs, start_ms + i * FRAME_MS))
        if steps[-1].phase == codes.DONE or not run.accepts_frames:
            break
    return steps


def kinds(steps):
    return [e["type"] for s in steps for e in s.events]


def test_a_live_face_held_still_passes_after_the_hold(neutral):
    run = PassiveRun()
    steps = feed_all(run, [scored(neutral, 0.97)] * 100)
    assert steps[0].phase == codes.HOLD and steps[0].guidance == codes.OK
    # 3 s at 10 fps: the first frame spans nothing, so the 31st frame completes the hold.
    assert len(steps) == 31
    assert [s.progress for s in steps[:4]] == [0.0, 0.033, 0.067, 0.1]
    assert all(a.progress <= b.progress for a, b in itertools.pairwise(steps))
    assert steps[-1].phase == codes.DONE and steps[-1].audit_frame
    assert steps[-1].verdict == {
        "status": "success",
        "result": {"spoof_percentage": 0.03, "status": "LOW"},
    }
    assert kinds(steps) == ["verdict"]
    assert any(s.reference_candidate for s in steps)


def test_a_spoof_fails_at_once_whatever_attempts_are_left(neutral):
    run = PassiveRun(max_attempts=3)
    steps = feed_all(run, [scored(neutral, 0.08)] * 100)
    assert steps[-1].phase == codes.DONE
    assert steps[-1].verdict == {
        "status": "failed",
        "result": {"spoof_percentage": 0.92, "status": "HIGH", "reason": "SPOOF_SUSPECTED"},
    }
    assert "attempt_failed" not in kinds(steps)


def test_a_doubtful_face_passes_as_moderate(neutral):
    steps = feed_all(PassiveRun(), [scored(neutral, 0.5)] * 100)
    assert steps[-1].verdict == {
        "status": "success",
        "result": {"spoof_percentage": 0.5, "status": "MODERATE"},
    }


def test_the_median_decides_not_one_frame(neutral):
    lives = [0.95, 0.1, 0.9, 0.92] * 10  # a quarter of the frames look like a replay
    steps = feed_all(PassiveRun(), [scored(neutral, v) for v in lives])
    assert steps[-1].verdict["result"]["status"] == "LOW"


def test_a_lost_face_restarts_the_hold_and_a_glitch_does_not(neutral):
    config = EngineConfig()
    empty = FrameObservation(width=480, height=480, faces=0)
    live = scored(neutral, 0.97)
    run = PassiveRun(config)
    glitch = feed_all(run, [live] * 15 + [empty] * 2 + [live] * 2)
    assert glitch[14].progress == pytest.approx(1.4 / 3, abs=0.01)
    assert glitch[15].guidance == codes.NO_FACE and glitch[15].progress == glitch[14].progress
    assert glitch[-1].progress > glitch[14].progress  # 200 ms without a face: a glitch

    run = PassiveRun(config)
    lost = feed_all(run, [live] * 15 + [empty] * 6 + [live] * 2)
    assert lost[20].progress == 0.0  # 500 ms without a face: start over
    assert lost[-1].progress < 0.1


def test_a_positioning_problem_pauses_the_hold(neutral):
    dark = dataclasses.replace(
        scored(neutral, 0.97), quality=dataclasses.replace(neutral.quality, brightness=20.0)
    )
    live = scored(neutral, 0.97)
    steps = feed_all(PassiveRun(), [live] * 10 + [dark] * 5 + [live] * 2)
    assert [s.guidance for s in steps[10:15]] == [codes.TOO_DARK] * 5
    assert {s.progress for s in steps[9:15]} == {steps[9].progress}
    assert steps[-1].progress > steps[9].progress


def test_unscored_frames_wait_for_enough_evidence(neutral):
    # The hold is complete after 3 s, but only frames with a score are evidence.
    frames = [scored(neutral, None)] * 40 + [scored(neutral, 0.97)] * 10
    steps = feed_all(PassiveRun(), frames)
    assert steps[39].phase == codes.HOLD and steps[39].progress == 1.0
    done = next(i for i, s in enumerate(steps) if s.phase == codes.DONE)
    assert done == 40 + 4  # the fifth score (passive_hold_min_samples)


def test_no_face_uses_every_attempt_then_fails_with_glairs_status():
    empty = FrameObservation(width=480, height=480, faces=0)
    config = EngineConfig.from_overrides({"positioning_timeout_ms": 2000})
    run = PassiveRun(config, max_attempts=2)
    steps = feed_all(run, [empty] * 100)
    assert [e["attempt"] for s in steps for e in s.events if e["type"] == "attempt_failed"] == [
        1,
        2,
    ]
    assert steps[-1].verdict == {
        "status": "failed",
        "result": {"spoof_percentage": 1.0, "status": "face not detected"},
    }


def test_two_faces_fail_with_too_many_faces(neutral):
    two = dataclasses.replace(neutral, faces=2)
    config = EngineConfig.from_overrides({"positioning_timeout_ms": 2000})
    steps = feed_all(PassiveRun(config, max_attempts=1), [two] * 100)
    assert steps[0].guidance == codes.MANY_FACES
    assert steps[-1].verdict["result"]["status"] == "too many faces detected"


def test_an_interactive_run_waits_for_start_and_for_retry(neutral):
    empty = FrameObservation(width=480, height=480, faces=0)
    config = EngineConfig.from_overrides({"positioning_timeout_ms": 1000, "passive_hold_ms": 600})
    run = PassiveRun(config, max_attempts=2, interactive=True)
    assert run.state == codes.READY and not run.accepts_frames
    with pytest.raises(RuntimeError):
        run.feed(neutral, 0)
    assert run.start() and not run.start()
    steps = feed_all(run, [empty] * 30)
    assert run.state == codes.ATTEMPT_FAILED and not run.accepts_frames
    assert run.last_failure == {"attempts_left": 1, "reason": "face not detected"}
    assert steps[-1].attempts_left == 0
    assert run.retry() and not run.retry()
    steps = feed_all(run, [scored(neutral, 0.97)] * 40, start_ms=10_000)
    assert steps[0].progress == 0.0  # the new attempt's hold starts from nothing
    assert steps[-1].verdict["status"] == "success"


def test_a_snapshot_resumes_attempts_not_the_hold(neutral):
    run = PassiveRun(interactive=True)
    run.start()
    feed_all(run, [scored(neutral, 0.97)] * 20)
    restored = PassiveRun.restore(run.snapshot())
    assert restored.state == codes.HOLD and restored.attempt == 1
    assert restored.feed(scored(neutral, 0.97), 0).progress == 0.0
    feed_all(run, [scored(neutral, 0.97)] * 20, start_ms=2000)
    finished = PassiveRun.restore(run.snapshot())
    assert finished.state == codes.DONE and finished.verdict == run.verdict
    with pytest.raises(ValueError):
        PassiveRun.restore({"v": 1, "gestures": ["HEAD_LEFT"]})


def test_finish_decides_for_good(neutral):
    run = PassiveRun(max_attempts=3)
    feed_all(run, [scored(neutral, 0.97)] * 5)
    step = run.finish(1000)
    assert step.phase == codes.DONE
    assert step.verdict["result"]["status"] == "face not detected"


def test_every_frame_of_a_passive_run_is_scored(neutral):
    run = PassiveRun()
    assert all(run.passive_due() for _ in range(3)) and not run.hands_due()
    feed_all(run, [scored(neutral, 0.97)] * 100)
    assert not run.passive_due()
