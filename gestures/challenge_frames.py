"""The frame-by-frame side of a `ChallengeRun` (gestures/challenge.py holds its flow).

What the run keeps of the frames it has seen, and how it answers each one: the face's recent
places (a move is speed over a window), the still frames that become the next challenge's
lead-in, how long the face has been missing or doubled (a short glitch, or a failure), why an
attempt that ran out of time failed, the best reference frame so far, and the `Step` built
from the run's state. `ChallengeRun` inherits these as methods, moved here unchanged; they
read and write its attributes, declared below for the type checker.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gestures import codes
from gestures.config import EngineConfig
from gestures.detector import GestureTracker
from gestures.guidance import FacePlaces
from gestures.hand_challenge import HandTracker
from gestures.observation import FrameObservation
from gestures.passive import rank_as_reference
from gestures.steps import Step

_LEAD_IN_SLACK_MS = 100


@dataclass
class _Frame:
    """What one `feed` call accumulates before it becomes a Step."""

    t_ms: int
    events: list[dict[str, Any]] = field(default_factory=list)
    audit: bool = False


class ChallengeFrames:
    """Per-frame bookkeeping of `ChallengeRun`: every attribute is set by its `__init__`."""

    config: EngineConfig
    gestures: list[str]
    max_attempts: int
    attempt: int
    index: int
    phase: str
    verdict: dict[str, Any] | None
    reference_score: float
    reference_rank: int
    _places: FacePlaces
    _recent: list[tuple[int, FrameObservation]]
    _glitch_since: int | None
    _deadline: int | None
    _tracker: GestureTracker | HandTracker | None
    _no_face_since: int | None
    _many_since: int | None
    _problems: Counter[str]

    def _remember_face(self, obs: FrameObservation, t_ms: int) -> None:
        """The last `neutral_hold_ms` of frames with one face, as the next challenge's lead-in;
        a frame without exactly one face breaks it."""
        if obs.faces != 1 or not obs.has_face or self.phase == codes.CHALLENGE:
            self._recent = []
            return
        horizon = t_ms - self.config.neutral_hold_ms - _LEAD_IN_SLACK_MS
        self._recent = [(t, o) for t, o in self._recent if t >= horizon]
        self._recent.append((t_ms, obs))

    def _glitch(self, t_ms: int) -> bool:
        """The face has been missing or doubled only briefly: a model glitch, not a change."""
        since = self._glitch_since
        return since is not None and t_ms - since <= self.config.face_glitch_ms

    def _absent_since(self, obs: FrameObservation, t: int) -> str | None:
        """GLAIR's status once no face, or several faces, persisted long enough to fail."""
        c = self.config
        if obs.faces > 1:
            self._no_face_since = None
            self._many_since = t if self._many_since is None else self._many_since
            return codes.TOO_MANY_FACES if t - self._many_since >= c.many_faces_fail_ms else None
        self._many_since = None
        self._no_face_since = t if self._no_face_since is None else self._no_face_since
        return codes.FACE_NOT_DETECTED if t - self._no_face_since >= c.face_lost_fail_ms else None

    def _failure_reason(self) -> tuple[str, str | None]:
        """Why an attempt ran out of time: the face problem seen most, else NOT_MATCH."""
        detected = self._tracker.detected if self._tracker is not None else None
        problems = {
            k: v for k, v in self._problems.items() if k in (codes.NO_FACE, codes.MANY_FACES)
        }
        usable = sum(v for k, v in self._problems.items() if k not in problems)
        if problems and max(problems.values()) > usable:
            worst = max(problems, key=lambda k: problems[k])
            status = codes.FACE_NOT_DETECTED if worst == codes.NO_FACE else codes.TOO_MANY_FACES
            return status, None
        if isinstance(self._tracker, HandTracker):
            return self._tracker.timeout()
        return codes.NOT_MATCH, detected

    def _step(
        self, obs: FrameObservation | None, shown: str, frame: _Frame, metrics: dict[str, Any]
    ) -> Step:
        candidate = obs is not None and self.phase != codes.DONE and self._reference(obs, shown)
        in_challenge = self.phase == codes.CHALLENGE
        return Step(
            phase=self.phase,
            guidance=shown,
            attempt=self.attempt,
            attempts_left=self.max_attempts - self.attempt,
            index=self.index,
            total=len(self.gestures),
            gesture=self.gestures[self.index] if in_challenge else None,
            deadline_ms=self._deadline if in_challenge else None,
            remaining_ms=max(self._deadline - frame.t_ms, 0)
            if in_challenge and self._deadline
            else None,
            events=frame.events,
            reference_candidate=candidate,
            audit_frame=frame.audit,
            verdict=self.verdict if self.phase == codes.DONE else None,
            metrics=metrics,
        )

    def _reference(self, obs: FrameObservation, shown: str) -> bool:
        """Best frontal, sharp, eyes-open, mouth-closed frame so far, a frame the passive check
        scored and did not find HIGH before any it did not score, never one it found HIGH
        (`passive.rank_as_reference`): the server saves it."""
        c = self.config
        if shown != codes.OK or not obs.has_face or obs.quality is None:
            return False
        if abs(obs.yaw) > c.neutral_yaw_max or abs(obs.pitch) > c.neutral_pitch_max:
            return False
        if min(obs.eye_right, obs.eye_left) < c.eye_open_min or obs.mouth > c.mouth_closed_max:
            return False
        rank = rank_as_reference(obs.live, c)
        if rank is None:
            return False
        frontal = (1 - abs(obs.yaw) / 90) * (1 - abs(obs.pitch) / 90)
        score = obs.quality.sharpness * frontal
        if (rank, score) <= (self.reference_rank, self.reference_score):
            return False
        self.reference_rank, self.reference_score = rank, score
        return True
