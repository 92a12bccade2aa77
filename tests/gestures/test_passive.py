"""Passive evidence of a run: sampling, robust aggregation, and its part in the verdict."""

from __future__ import annotations

import dataclasses
import json

import pytest

from gestures import codes
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.passive import HIGH, LOW, MODERATE, NO_FACE, PassiveEvidence
from workers.replay import replay

CONFIG = EngineConfig()


def evidence(*scores):
    found = PassiveEvidence()
    for score in scores:
        found.add(score)
    return found


def test_one_doubtful_frame_does_not_decide():
    summary = evidence(0.95, 0.2, 0.97, 0.93, 0.96).summary(CONFIG)
    assert summary["status"] == LOW
    assert summary["samples"] == 5


def test_one_live_looking_frame_does_not_save_a_replay():
    assert evidence(0.05, 0.1, 0.97, 0.08, 0.12).summary(CONFIG)["status"] == HIGH


@pytest.mark.parametrize(
    ("spoof", "status"),
    [
        (CONFIG.passive_spoof_moderate - 0.01, LOW),
        (CONFIG.passive_spoof_moderate + 0.01, MODERATE),
        (CONFIG.passive_spoof_high - 0.01, MODERATE),
        (CONFIG.passive_spoof_high + 0.01, HIGH),
    ],
)
def test_the_bands_follow_the_settings(spoof, status):
    live = 1 - spoof
    assert evidence(live, live, live).summary(CONFIG)["status"] == status


def test_too_few_scored_frames_prove_nothing():
    assert evidence(0.99, 0.99).summary(CONFIG)["status"] == NO_FACE
    assert evidence().summary(CONFIG)["status"] == NO_FACE


def test_it_asks_for_every_frame_until_the_minimum_then_one_in_n():
    found = PassiveEvidence()
    asked = []
    for _ in range(30):
        due = found.due(CONFIG)
        asked.append(due)
        found.add(0.9 if due else None)
    assert asked[: CONFIG.passive_min_samples] == [True] * CONFIG.passive_min_samples
    later = asked[CONFIG.passive_min_samples :]
    assert sum(later) == len(later) // CONFIG.passive_sample_every


def test_the_evidence_survives_a_reconnect(recording):
    frames = recording("lp_d12_turns_up_mouth")
    run = ChallengeRun([codes.HEAD_LEFT, codes.HEAD_RIGHT])
    for _, t_ms, obs in frames[:20]:
        run.feed(obs if run.passive_due() else dataclasses.replace(obs, live=None), t_ms)
    restored = ChallengeRun.restore(json.loads(json.dumps(run.snapshot())), CONFIG)
    assert restored.passive.scores == pytest.approx(run.passive.scores, abs=1e-4)
    assert len(restored.passive.scores) >= CONFIG.passive_min_samples


def test_live_evidence_is_reported_with_a_passed_session(recording):
    report = replay(recording("lp_d12_turns_up_mouth"), [codes.HEAD_LEFT])
    assert report["status"] == "success"
    assert report["result"]["passive"]["status"] == LOW
    assert "reason" not in report["result"]
    scored = [e["live"] for e in report["timeline"] if e["live"] is not None]
    assert len(scored) >= CONFIG.passive_min_samples


def test_replay_like_evidence_fails_a_session_its_gestures_would_pass(recording, replay_scores):
    """The real turn of lp_d12, with each frame's live score taken from the real model on the
    phone-screen replay of silent_face/demo.gif: the gestures match, the session fails."""
    frames = recording("lp_d12_turns_up_mouth")
    spoofed = [
        (i, t, dataclasses.replace(obs, live=replay_scores[n % len(replay_scores)]))
        for n, (i, t, obs) in enumerate(frames)
    ]
    report = replay(spoofed, [codes.HEAD_LEFT])
    result = report["result"]
    assert result["gestures"][0]["gesture_status"] == codes.MATCH
    assert report["status"] == "failed"
    assert result["gesture_status"] == codes.NOT_MATCH
    assert result["reason"] == "SPOOF_SUSPECTED"
    assert result["passive"]["status"] == HIGH


def test_the_check_can_be_off_only_for_pixel_free_replays(recording):
    frames = [(i, t, dataclasses.replace(o, live=None)) for i, t, o in recording("lp_d0_still")]
    assert replay(frames, [codes.HEAD_00])["status"] == "failed"
    off = EngineConfig(passive_min_samples=0)
    report = replay(frames, [codes.HEAD_00], off)
    assert report["status"] == "success" and "passive" not in report["result"]
