"""What `ChallengeRun.feed` returns for each frame."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gestures.reading import Reading


@dataclass(frozen=True)
class Step:
    """The run's answer to one frame.

    phase: positioning | challenge | between | done. guidance: a code of `gestures.codes`.
    index/total: the current challenge (0-based) and how many there are. gesture, deadline_ms
    and remaining_ms are set only while a challenge is open (the page learns a gesture only
    when its challenge starts). events: what happened at this frame (docs/ENGINE.md).
    reference_candidate: this frame is the best reference frame so far (save it, replacing the
    previous one). audit_frame: a challenge was decided at this frame (save it for audit).
    verdict: the final result in CONTRACT section 1 shape, once phase is done.
    metrics: this frame's changes from neutral during a challenge, for timelines and plots.
    progress: a passive session's hold done so far (0..1); None in an active run.
    """

    phase: str
    guidance: str
    attempt: int
    attempts_left: int
    index: int
    total: int
    gesture: str | None = None
    deadline_ms: int | None = None
    remaining_ms: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    reference_candidate: bool = False
    audit_frame: bool = False
    verdict: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    # A passive session's hold (gestures.passive_session): how much of it is done, 0..1.
    progress: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reading_metrics(reading: Reading | None) -> dict[str, Any]:
    if reading is None:
        return {}
    return {
        "d_yaw": round(reading.d_yaw, 2),
        "d_pitch": round(reading.d_pitch, 2),
        "parallax_x": round(reading.parallax.x, 4),
        "parallax_y": round(reading.parallax.y, 4),
        "eye_right_ratio": round(reading.eye_right, 3),
        "eye_left_ratio": round(reading.eye_left, 3),
        "mouth": round(reading.mouth, 3),
        "warp": round(reading.warp, 3),
        "plane": None if reading.plane is None else round(reading.plane, 3),
        "mouth_plane": None if reading.mouth_plane is None else round(reading.mouth_plane, 3),
        "pose": reading.pose,
        "flat": reading.flat,
        "eyes": reading.eyes,
        "mouth_state": reading.mouth_state,
    }
