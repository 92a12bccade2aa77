"""The server's handle on the gesture engine (gestures/): build, restore and feed a run.

The one place that turns Django settings into what `gestures/` and `workers/` take as
arguments (`EngineConfig`, frame `Limits`, the number of attempts): neither package reads
settings. Each builder raises `ValueError` on a bad value; the system checks in
`sessions.checks` call them, so a bad setting stops the server at start, not at a frame.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from gestures import codes
from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.hands import finger_state
from gestures.observation import FrameObservation
from gestures.passive_session import PassiveRun
from gestures.steps import Step
from sessions.models import LivenessSession, SessionKind
from workers.decode import Limits

__all__ = [
    "ChallengeRun",
    "PassiveRun",
    "Run",
    "Step",
    "challenge_info",
    "engine_config",
    "feed",
    "frame_limits",
    "hold_info",
    "max_attempts",
    "restore_or_new",
]


def engine_config() -> EngineConfig:
    """`EngineConfig` defaults overridden by `settings.LIVENESS_ENGINE` (a dict of field names).

    Raises `ValueError` for an unknown field, a value that is not a number, or a negative one
    (every threshold, ratio and time of the engine is at least 0)."""
    overrides = settings.LIVENESS_ENGINE
    if not isinstance(overrides, dict):
        raise ValueError(f"LIVENESS_ENGINE must be a dict, got {overrides!r}")
    config = EngineConfig.from_overrides(overrides)
    negative = sorted(key for key in overrides if getattr(config, key) < 0)
    if negative:
        raise ValueError(f"engine settings must not be negative: {', '.join(negative)}")
    return config


def frame_limits() -> Limits:
    """The bounds of one page frame: LIVENESS_FRAME_MAX_BYTES and LIVENESS_FRAME_MAX_PIXELS."""
    return Limits(
        max_bytes=settings.LIVENESS_FRAME_MAX_BYTES,
        max_pixels=settings.LIVENESS_FRAME_MAX_PIXELS,
    )


def max_attempts() -> int:
    """Attempts a run has at its challenges (LIVENESS_MAX_ATTEMPTS), at least 1."""
    value = settings.LIVENESS_MAX_ATTEMPTS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"LIVENESS_MAX_ATTEMPTS must be an integer of at least 1, got {value!r}")
    return value


# An active session's challenges, or a passive session's hold (`gestures.passive_session`).
Run = ChallengeRun | PassiveRun


def restore_or_new(session: LivenessSession) -> Run:
    """The run as last saved (an unfinished challenge, or hold, restarts), or a new one."""
    config = engine_config()
    if session.kind == SessionKind.PASSIVE:
        if session.run_state:
            return PassiveRun.restore(session.run_state, config)
        return PassiveRun(config, max_attempts(), interactive=True)
    if session.run_state:
        return ChallengeRun.restore(session.run_state, config)
    return ChallengeRun(session.gestures, config, max_attempts(), interactive=True)


def feed(run: Run, observation: dict[str, Any], t_ms: int) -> Step:
    return run.feed(FrameObservation.from_dict(observation), t_ms)


def hold_info(run: Run, step: Step | None) -> dict[str, Any] | None:
    """A passive session's hold as the page shows it (its ring): how much is done, of how
    long. None for an active run, and before the hold's first frame."""
    if not isinstance(run, PassiveRun) or run.state != codes.HOLD:
        return None
    progress = step.progress if step is not None and step.progress is not None else 0.0
    return {"progress": progress, "hold_ms": run.config.passive_hold_ms}


def challenge_info(run: Run, step: Step | None) -> dict[str, Any] | None:
    """The open challenge as the page may know it: only the current gesture, never the next."""
    if step is None or step.phase != codes.CHALLENGE or step.gesture is None:
        return None
    return {
        "index": step.index,
        "total": step.total,
        "gesture": step.gesture,
        "time_limit_ms": run.config.gesture_time_limit_ms,
        "remaining_ms": step.remaining_ms,
        # The frame rate the page should reach for this challenge, above its usual ceiling.
        "frame_rate": run.config.eye_frame_rate if step.gesture in codes.EYE_GESTURES else None,
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
        # The finger states of the hands found, on the frames of a hand challenge (else None).
        "fingers": None
        if observation.get("hands") is None
        else [finger_state(hand["points"]) for hand in observation["hands"]],
        "guidance": step.guidance,
        "phase": step.phase,
        "challenge": step.index if step.phase == codes.CHALLENGE else None,
        "attempt": step.attempt,
    }
