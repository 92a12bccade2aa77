"""The server's handle on the gesture engine (gestures/): build, restore and feed a run."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.observation import FrameObservation
from gestures.steps import Step
from sessions.models import LivenessSession

__all__ = ["ChallengeRun", "Step", "challenge_info", "feed", "restore_or_new"]


def engine_config() -> EngineConfig:
    return EngineConfig.from_overrides(settings.LIVENESS_ENGINE)


def restore_or_new(session: LivenessSession) -> ChallengeRun:
    """The run as last saved (an unfinished challenge restarts from positioning), or a new one."""
    config = engine_config()
    if session.run_state:
        return ChallengeRun.restore(session.run_state, config)
    return ChallengeRun(session.gestures, config, settings.LIVENESS_MAX_ATTEMPTS)


def feed(run: ChallengeRun, observation: dict[str, Any], t_ms: int) -> Step:
    return run.feed(FrameObservation.from_dict(observation), t_ms)


def challenge_info(run: ChallengeRun, step: Step | None) -> dict[str, Any] | None:
    """The open challenge as the page may know it: only the current gesture, never the next."""
    if step is None or step.phase != "challenge" or step.gesture is None:
        return None
    return {
        "index": step.index,
        "total": step.total,
        "gesture": step.gesture,
        "time_limit_ms": run.config.gesture_time_limit_ms,
        "remaining_ms": step.remaining_ms,
    }


def sample(observation: dict[str, Any], step: Step) -> dict[str, Any]:
    """One frame of the reviewers' timeline: when, what the face did, what the run did."""
    return {
        "t": int(time.time() * 1000),
        "faces": observation.get("faces", 0),
        "yaw": observation.get("yaw"),
        "pitch": observation.get("pitch"),
        "roll": observation.get("roll"),
        "eye_left": observation.get("eye_left"),
        "eye_right": observation.get("eye_right"),
        "mouth": observation.get("mouth"),
        "live": observation.get("live"),
        "guidance": step.guidance,
        "phase": step.phase,
        "challenge": step.index if step.phase == "challenge" else None,
        "attempt": step.attempt,
    }
