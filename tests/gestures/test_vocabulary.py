"""The typed vocabulary (gestures.vocabulary) says what the engine says, in today's strings."""

from __future__ import annotations

from gestures import codes, passive
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.verdict import build_verdict, gesture_result
from gestures.vocabulary import (
    ENGINE_EVENT_KINDS,
    EVENT_DATA,
    AttemptFailedEvent,
    ChallengeStartedEvent,
    EventKind,
    GestureFailedEvent,
    GestureMatchedEvent,
    GestureOutcome,
    GestureStatus,
    PassiveOutcome,
    PassiveStatus,
    Phase,
    Verdict,
    VerdictDetail,
    VerdictEvent,
    VerdictStatus,
)

ENGINE_EVENTS = {
    EventKind.CHALLENGE_STARTED: ChallengeStartedEvent,
    EventKind.GESTURE_MATCHED: GestureMatchedEvent,
    EventKind.GESTURE_FAILED: GestureFailedEvent,
    EventKind.ATTEMPT_FAILED: AttemptFailedEvent,
    EventKind.VERDICT: VerdictEvent,
}


def test_the_members_are_todays_strings() -> None:
    assert [p.value for p in Phase] == [
        "ready", "positioning", "challenge", "between", "attempt_failed", "done", "hold"
    ]  # fmt: skip
    assert {codes.POSITIONING, codes.CHALLENGE, codes.BETWEEN, codes.DONE} <= set(Phase)
    assert Phase.DONE == "done" and f"{EventKind.VERDICT}" == "verdict"
    assert {codes.MATCH, codes.NOT_MATCH, codes.FACE_NOT_DETECTED, codes.TOO_MANY_FACES} <= set(
        GestureStatus
    )
    assert {passive.LOW, passive.MODERATE, passive.HIGH, passive.NO_FACE} <= set(PassiveStatus)
    assert set(VerdictStatus) == {"success", "failed"}
    assert set(EVENT_DATA) == set(EventKind)
    assert set(ENGINE_EVENTS) == set(ENGINE_EVENT_KINDS)


def _keys(shape: type) -> set[str]:
    return set(shape.__annotations__)


def _check_verdict(verdict: dict) -> None:
    assert set(verdict) == _keys(Verdict) and verdict["status"] in set(VerdictStatus)
    detail = verdict["result"]
    assert VerdictDetail.__required_keys__ <= set(detail) <= _keys(VerdictDetail)
    assert detail["gesture_status"] in set(GestureStatus)
    for outcome in detail["gestures"]:
        assert set(outcome) == _keys(GestureOutcome)
        assert outcome["gesture_status"] in set(GestureStatus)
    if "passive" in detail:
        assert set(detail["passive"]) == _keys(PassiveOutcome)
        assert detail["passive"]["status"] in set(PassiveStatus)


def test_a_recorded_run_speaks_only_the_vocabulary(recording) -> None:
    """A still face fails the first attempt, a real mouth opening passes the second: every
    event is an EventKind with its TypedDict's keys, every phase a Phase."""
    config = EngineConfig.from_overrides({"gesture_time_limit_ms": 2000, "retry_delay_ms": 300})
    run = ChallengeRun([codes.HEAD_OPEN_MOUTH], config, max_attempts=2)
    still = [obs for _, _, obs in recording("lp_d0_still")]
    opening = [obs for _, _, obs in recording("lp_d18_mouth_open")]
    steps, t = [], 0
    for obs in still * 3:
        steps.append(run.feed(obs, t))
        t += 100
        if any(e["type"] == EventKind.ATTEMPT_FAILED for e in steps[-1].events):
            break
    for obs in opening:
        steps.append(run.feed(obs, t))
        t += 100
        if steps[-1].phase == Phase.DONE:
            break
    events = [e for s in steps for e in s.events]
    assert {e["type"] for e in events} == set(ENGINE_EVENT_KINDS)
    for event in events:
        assert set(event) == _keys(ENGINE_EVENTS[event["type"]]), event
    assert {s.phase for s in steps} <= set(Phase)
    verdict = steps[-1].verdict
    assert verdict is not None and verdict["status"] == VerdictStatus.SUCCESS
    _check_verdict(verdict)


def test_every_verdict_shape_is_the_verdict_typeddict() -> None:
    matched = gesture_result(codes.HEAD_LEFT, codes.MATCH, codes.HEAD_LEFT, 900)
    cases = [
        ([matched, None], None),
        ([matched, None], {"spoof_percentage": 0.02, "status": passive.LOW, "samples": 9}),
        ([matched, matched], {"spoof_percentage": 0.93, "status": passive.HIGH, "samples": 9}),
        ([matched, matched], {"spoof_percentage": 1.0, "status": passive.NO_FACE, "samples": 0}),
    ]
    for results, summary in cases:
        _check_verdict(build_verdict([codes.HEAD_LEFT, codes.HEAD_LEFT], results, summary))
