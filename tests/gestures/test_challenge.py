"""The run's state machine on synthetic timelines built from one recorded neutral frame."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from gestures import codes
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.observation import FrameObservation

FRAME_MS = 100


@pytest.fixture
def neutral(recording) -> FrameObservation:
    return recording("lp_d0_still")[0][2]


def feed_all(run, observations, start_ms=0):
    steps = []
    for i, obs in enumerate(observations):
        steps.append(run.feed(obs, start_ms + i * FRAME_MS))
        if steps[-1].phase == codes.DONE:
            break
    return steps


def events(steps, kind):
    return [e for s in steps for e in s.events if e["type"] == kind]


def test_positioning_then_challenge_reveals_one_gesture(neutral):
    run = ChallengeRun([codes.HEAD_LEFT, codes.HEAD_UP])
    steps = feed_all(run, [neutral] * 10)
    assert steps[0].phase == codes.POSITIONING and steps[0].gesture is None
    started = events(steps, "challenge_started")
    assert started[0]["gesture"] == codes.HEAD_LEFT and started[0]["index"] == 0
    assert steps[-1].gesture == codes.HEAD_LEFT and steps[-1].remaining_ms > 0


def test_a_frozen_face_never_matches_and_uses_every_attempt(neutral):
    config = EngineConfig.from_overrides({"gesture_time_limit_ms": 2000, "retry_delay_ms": 300})
    run = ChallengeRun([codes.HEAD_LEFT], config, max_attempts=3)
    steps = feed_all(run, [neutral] * 200)
    assert steps[-1].phase == codes.DONE
    assert [e["attempt"] for e in events(steps, "attempt_failed")] == [1, 2, 3]
    verdict = steps[-1].verdict
    assert verdict["status"] == "failed"
    assert verdict["result"]["gesture_status"] == codes.NOT_MATCH
    assert any(s.audit_frame for s in steps)


def test_no_face_fails_with_glairs_face_not_detected(neutral):
    empty = FrameObservation(width=480, height=480, faces=0)
    run = ChallengeRun([codes.HEAD_LEFT], max_attempts=1)
    steps = feed_all(run, [empty] * 20)
    assert {s.guidance for s in steps} == {codes.NO_FACE}
    final = run.finish(20 * FRAME_MS)
    assert final.verdict["result"]["gesture_status"] == codes.FACE_NOT_DETECTED


def test_several_faces_during_a_challenge_fail_it(neutral):
    crowd = FrameObservation(**{**vars(neutral), "faces": 2})
    run = ChallengeRun([codes.HEAD_LEFT], max_attempts=1)
    steps = feed_all(run, [neutral] * 8 + [crowd] * 30)
    assert steps[-1].verdict["result"]["gesture_status"] == codes.TOO_MANY_FACES


def test_snapshot_is_json_and_restores_progress(neutral):
    run = ChallengeRun([codes.HEAD_LEFT, codes.HEAD_DOWN], max_attempts=3)
    run.results[0] = {"gesture": codes.HEAD_LEFT, "gesture_status": codes.MATCH,
                      "detected_gesture": codes.HEAD_LEFT, "duration_ms": 900}  # fmt: skip
    run.index, run.attempt = 1, 2
    restored = ChallengeRun.restore(json.loads(json.dumps(run.snapshot())), EngineConfig())
    assert (restored.index, restored.attempt, restored.results) == (1, 2, run.results)
    assert restored.phase == codes.POSITIONING
    steps = feed_all(restored, [neutral] * 10)
    assert events(steps, "challenge_started")[0]["gesture"] == codes.HEAD_DOWN


def test_reference_candidates_improve_monotonically(neutral):
    run = ChallengeRun([codes.HEAD_LEFT])
    steps = feed_all(run, [neutral] * 5)
    assert steps[0].reference_candidate
    assert not any(s.reference_candidate for s in steps[1:])  # the same frame is no better


def test_a_scored_live_frame_is_the_reference_before_any_unscored_one(neutral):
    sharp = dataclasses.replace(neutral, live=None)
    duller = dataclasses.replace(
        neutral, live=0.99, quality=dataclasses.replace(neutral.quality, sharpness=10.0)
    )
    run = ChallengeRun([codes.HEAD_LEFT])
    first = run.feed(sharp, 0)
    second = run.feed(duller, FRAME_MS)
    # An unscored frame is a fallback; a duller frame the passive check scored live replaces it,
    # and no unscored frame replaces that one however sharp.
    assert first.reference_candidate and second.reference_candidate
    assert not run.feed(sharp, 2 * FRAME_MS).reference_candidate


def test_a_frame_scored_as_a_spoof_is_never_the_reference(neutral):
    picture = dataclasses.replace(neutral, live=0.05)
    run = ChallengeRun([codes.HEAD_LEFT])
    assert not any(s.reference_candidate for s in feed_all(run, [picture] * 5))
    assert run.feed(neutral, 5 * FRAME_MS).reference_candidate
    # The ranking survives a snapshot (a worker or server restarted mid-session).
    restored = ChallengeRun.restore(json.loads(json.dumps(run.snapshot())), EngineConfig())
    assert restored.reference_rank == 1


def test_unknown_settings_and_gestures_are_refused():
    with pytest.raises(ValueError, match="unknown engine settings"):
        EngineConfig.from_overrides({"turn_yaw_degree": 10})
    with pytest.raises(ValueError):
        ChallengeRun(["HEAD_SIDEWAYS"])
    assert EngineConfig.from_overrides({"turn_yaw_deg": 20}).turn_yaw_deg == 20.0


def test_a_recent_window_no_longer_than_the_hold_is_refused():
    # It would hold no frame from before a movement: no head movement could fail a challenge.
    with pytest.raises(ValueError, match="clear_other_recent_ms"):
        EngineConfig.from_overrides({"clear_other_recent_ms": 400})
    assert EngineConfig.from_overrides({"clear_other_recent_ms": 0}).clear_other_recent_ms == 0


@pytest.mark.parametrize("share", [-0.1, 1.0])
def test_a_closed_mouth_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ValueError, match="mouth_closed_share"):
        EngineConfig.from_overrides({"mouth_closed_share": share})
    assert EngineConfig.from_overrides({"mouth_closed_share": 0}).mouth_closed_share == 0.0


@pytest.mark.parametrize("share", [-0.5, 1.0])
def test_a_near_pose_share_outside_zero_to_one_is_refused(share):
    # 1 or more: no frame short of the whole movement is on its way to it.
    with pytest.raises(ValueError, match="pose_near_share"):
        EngineConfig.from_overrides({"pose_near_share": share})
    assert EngineConfig.from_overrides({"pose_near_share": 0}).pose_near_share == 0.0


def test_observations_cross_the_wire_small_and_intact(neutral):
    wire = json.dumps(neutral.to_dict())
    assert len(wire) < 10_000
    back = FrameObservation.from_dict(json.loads(wire))
    assert back.faces == neutral.faces and back.yaw == pytest.approx(neutral.yaw, abs=0.01)
    assert np.shape(back.landmarks) == np.shape(neutral.landmarks)


# --- an interactive run: the user's Start and Try again are part of the state machine ------

FAST_FAIL = {"gesture_time_limit_ms": 1000, "retry_delay_ms": 300}


def test_an_interactive_run_waits_for_start_and_takes_no_frames_before(neutral):
    run = ChallengeRun([codes.HEAD_LEFT], interactive=True)
    assert run.state == codes.READY and not run.accepts_frames
    with pytest.raises(RuntimeError):
        run.feed(neutral, 0)
    assert run.start() is True
    assert run.start() is False  # pressing Start twice changes nothing
    assert run.state == codes.POSITIONING
    assert run.feed(neutral, 0).phase == codes.POSITIONING


def test_a_failed_attempt_waits_for_the_users_retry(neutral):
    config = EngineConfig.from_overrides(FAST_FAIL)
    run = ChallengeRun([codes.HEAD_LEFT], config, max_attempts=2, interactive=True)
    assert run.retry() is False  # nothing to retry yet
    run.start()
    t = 0
    while not run.waiting_retry:
        run.feed(neutral, t)
        t += FRAME_MS
    assert run.state == codes.ATTEMPT_FAILED and not run.accepts_frames
    assert run.last_failure == {"attempts_left": 1, "reason": codes.NOT_MATCH}
    with pytest.raises(RuntimeError):
        run.feed(neutral, t)
    assert run.retry() is True
    assert run.last_failure == {} and run.accepts_frames
    # Long after the failure: the retry delay has passed, the next attempt starts positioning.
    assert run.feed(neutral, t + 5000).phase == codes.POSITIONING
    assert run.attempt == 2


def test_the_last_failed_attempt_ends_the_run_without_waiting(neutral):
    config = EngineConfig.from_overrides(FAST_FAIL)
    run = ChallengeRun([codes.HEAD_LEFT], config, max_attempts=1, interactive=True)
    run.start()
    steps = feed_all(run, [neutral] * 100)
    assert steps[-1].phase == codes.DONE and run.state == codes.DONE
    assert not run.waiting_retry and run.retry() is False


def test_a_restored_interactive_run_is_started_and_not_waiting(neutral):
    config = EngineConfig.from_overrides(FAST_FAIL)
    run = ChallengeRun([codes.HEAD_LEFT], config, max_attempts=3, interactive=True)
    run.start()
    t = 0
    while not run.waiting_retry:
        run.feed(neutral, t)
        t += FRAME_MS
    restored = ChallengeRun.restore(json.loads(json.dumps(run.snapshot())), config)
    assert restored.interactive and restored.started
    assert restored.state == codes.POSITIONING and restored.attempt == 2
    # Snapshots saved before runs knew they were interactive were all the page's.
    old = {k: v for k, v in run.snapshot().items() if k != "interactive"}
    assert ChallengeRun.restore(old, config).interactive


def test_a_recorded_retry_replays_as_it_happened(neutral):
    from workers.replay import replay

    config = EngineConfig.from_overrides(FAST_FAIL)
    frames = [(i, i * FRAME_MS, neutral) for i in range(120)]
    at_once = replay(frames, [codes.HEAD_LEFT], config, max_attempts=2)
    # The user pressed Start at 0 and Try again only at 8 s: nothing is fed in between.
    waited = replay(
        frames, [codes.HEAD_LEFT], config, max_attempts=2, user=[(0, "start"), (8000, "retry")]
    )
    fed = [e["t_ms"] for e in waited["timeline"]]
    failed_at = next(
        e["t_ms"]
        for e in waited["timeline"]
        if any(ev["type"] == "attempt_failed" for ev in e["events"])
    )
    assert not [t for t in fed if failed_at < t < 8000]
    assert any(t >= 8000 for t in fed)
    assert len(waited["timeline"]) < len(at_once["timeline"])
    with pytest.raises(ValueError):
        replay(frames, [codes.HEAD_LEFT], config, user=[(0, "dance")])
