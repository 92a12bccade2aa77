"""A passive-liveness session's run: hold one still, frontal face in view for a few seconds.

GLAIR's passive-liveness sessions (CONTRACT section 5) ask for no gesture. After Start the user
looks at the camera; every frame that shows exactly one face that passes the positioning
checks (`gestures.guidance`: lit, sized, centred, not moving) counts towards the hold and is
scored by the anti-spoofing models. Once `passive_hold_ms` of such frames, with at least
`passive_hold_min_samples` scores, have been seen, the verdict is the median of the scores
(`gestures.passive`) in GLAIR's passive shape:

    {"status": "success" | "failed",
     "result": {"spoof_percentage": 0.03, "status": "LOW"}}

- LOW or MODERATE: `success` (as an active session's passive evidence, `gestures.verdict`).
- HIGH: `failed`, with `"reason": "SPOOF_SUSPECTED"`; at once, whatever attempts are left, so
  that a spoof is not given more tries.
- No hold within `positioning_timeout_ms` of the attempt's start: the attempt fails with
  GLAIR's `face not detected` or `too many faces detected` (the problem seen most); with no
  attempt left the verdict is `failed` with that status and `spoof_percentage` 1.0 (no
  evidence is no proof of life, as the single-image call answers).

The hold's progress (0..1) pauses while a frame shows a positioning problem, and starts over,
with its scores, when the face is lost or joined by another one for longer than a model glitch
(`face_glitch_ms`). Time is a parameter, as in `gestures.challenge`: a recorded session replays
to the same verdict. The run has `ChallengeRun`'s interface as far as the server drives it
(`sessions/live.py`): `start`, `retry`, `feed`, `finish`, `snapshot`, `restore`.
"""

from __future__ import annotations

import statistics
from typing import Any, TypedDict

from gestures import codes
from gestures.config import EngineConfig
from gestures.guidance import FacePlaces, guidance
from gestures.observation import FrameObservation
from gestures.passive import (
    HIGH,
    PROVEN_LIVE,
    SPOOF_SUSPECTED,
    passive_status,
    rank_as_reference,
)
from gestures.steps import Step
from gestures.vocabulary import EventKind, PassiveOutcome, VerdictStatus

_SNAPSHOT_FORMAT = 1
KIND = "passive"
NO_EVIDENCE = 1.0
_SPOOF_DIGITS = 4


class PassiveVerdictDetail(PassiveOutcome, total=False):
    reason: str  # SPOOF_SUSPECTED when the status is HIGH


class PassiveVerdict(TypedDict):
    status: str  # a VerdictStatus
    result: PassiveVerdictDetail


def passive_verdict(
    scores: list[float], status: str | None, config: EngineConfig
) -> PassiveVerdict:
    """The verdict from the hold's live probabilities; `status` names why nothing could be
    judged (a GLAIR face status) when the hold never completed."""
    if status is not None:
        return {
            "status": VerdictStatus.FAILED.value,
            "result": {"spoof_percentage": NO_EVIDENCE, "status": status},
        }
    spoof = round(1.0 - statistics.median(scores), _SPOOF_DIGITS)
    band = passive_status(spoof, config)
    detail: PassiveVerdictDetail = {"spoof_percentage": spoof, "status": band}
    if band == HIGH:
        detail["reason"] = SPOOF_SUSPECTED
    live = band in PROVEN_LIVE
    return {
        "status": (VerdictStatus.SUCCESS if live else VerdictStatus.FAILED).value,
        "result": detail,
    }


class PassiveRun:
    # The attempt's hold, reset by `_reset_attempt` (not persisted).
    _since: int | None
    _last_t: int | None
    _held_ms: int
    _scores: list[float]
    _glitch_since: int | None
    _places: FacePlaces
    _problems: dict[str, int]

    kind = KIND
    # No gestures: the server's messages count none (`total`, `completed`).
    gestures: tuple[str, ...] = ()
    results: tuple[Any, ...] = ()
    index = 0

    def __init__(
        self,
        config: EngineConfig | None = None,
        max_attempts: int = 3,
        *,
        interactive: bool = False,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.config = config or EngineConfig()
        self.max_attempts = max_attempts
        self.attempt = 1
        self.phase = codes.HOLD
        self.verdict: PassiveVerdict | None = None
        self.reference_score = -1.0
        self.reference_rank = 0
        self.frames = 0
        self.interactive = interactive
        self.started = not interactive
        self.waiting_retry = False
        self.last_failure: dict[str, Any] = {}
        self.progress = 0.0
        self._reset_attempt()

    # --- what the server reads ------------------------------------------------------------

    @property
    def state(self) -> str:
        if not self.started:
            return codes.READY
        return codes.ATTEMPT_FAILED if self.waiting_retry else self.phase

    @property
    def accepts_frames(self) -> bool:
        return self.started and not self.waiting_retry and self.phase != codes.DONE

    @property
    def hold_ms(self) -> int:
        return max(self.config.passive_hold_ms, 1)

    def start(self) -> bool:
        if self.started:
            return False
        self.started = True
        return True

    def retry(self) -> bool:
        if not self.waiting_retry:
            return False
        self.waiting_retry, self.last_failure = False, {}
        return True

    def passive_due(self) -> bool:
        """Every frame of the hold is asked to be scored: the scores are the whole verdict.
        (`gestures.window` lets one scored frame be in flight at a time.)"""
        return self.phase != codes.DONE

    def hands_due(self) -> bool:
        return False

    # --- frames ---------------------------------------------------------------------------

    def feed(self, obs: FrameObservation, timestamp_ms: int) -> Step:
        """One frame of the hold.

        1. The frame's guidance (`gestures.guidance`) against where the face was a quarter
           second before: any problem is shown to the user.
        2. One face and no problem: the time since the last frame (at most 250 ms) adds to
           the hold, and the frame's live probability, when scored, to its evidence.
        3. No face or several faces for longer than a glitch: the hold starts over.
        4. The hold complete with enough scores: the verdict. Out of time: the attempt fails.
        """
        if not self.accepts_frames and self.phase != codes.DONE:
            raise RuntimeError(f"the run takes no frames while {self.state}")
        events: list[dict[str, Any]] = []
        if self.phase == codes.DONE:
            return self._step(codes.OK, events, audit=False, candidate=False)
        t = timestamp_ms
        self.frames += 1
        interval = 0 if self._last_t is None else min(max(t - self._last_t, 0), 250)
        self._last_t = t
        if self._since is None:
            self._since = t
        shown = guidance(obs, self._places.reference(t), t, self.config)
        self._places.remember(obs, t)
        one_face = obs.faces == 1 and obs.has_face
        if shown != codes.OK:
            self._problems[shown] = self._problems.get(shown, 0) + 1
        if one_face:
            self._glitch_since = None
        elif self._glitch_since is None:
            self._glitch_since = t
        elif t - self._glitch_since > self.config.face_glitch_ms:
            self._held_ms, self._scores = 0, []  # someone else, or nobody: start over
        if one_face and shown == codes.OK:
            self._held_ms += interval
            if obs.live is not None:
                self._scores.append(min(max(float(obs.live), 0.0), 1.0))
        self.progress = min(self._held_ms / self.hold_ms, 1.0)
        candidate = self._reference(obs, shown)
        if self._held_ms >= self.hold_ms and len(self._scores) >= self._min_samples:
            self._conclude(passive_verdict(self._scores, None, self.config), events)
            return self._step(shown, events, audit=True, candidate=candidate)
        if t - self._since >= self.config.positioning_timeout_ms:
            self._fail_attempt(events)
            return self._step(shown, events, audit=True, candidate=candidate)
        return self._step(shown, events, audit=False, candidate=candidate)

    def finish(self, timestamp_ms: int) -> Step:
        """No more frames will come: decide now, for good."""
        events: list[dict[str, Any]] = []
        self.waiting_retry, self.last_failure = False, {}
        if self.phase != codes.DONE:
            self.attempt = self.max_attempts
            self._fail_attempt(events)
        return self._step(codes.OK, events, audit=False, candidate=False)

    # --- persistence ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """JSON-safe: attempts used and the verdict; a hold in progress is not kept (a user who
        reconnects holds again)."""
        return {
            "v": _SNAPSHOT_FORMAT,
            "kind": KIND,
            "max_attempts": self.max_attempts,
            "attempt": self.attempt,
            "verdict": self.verdict,
            "reference_score": self.reference_score,
            "reference_rank": self.reference_rank,
            "frames": self.frames,
            "interactive": self.interactive,
        }

    @classmethod
    def restore(cls, snapshot: dict[str, Any], config: EngineConfig | None = None) -> PassiveRun:
        if snapshot.get("v") != _SNAPSHOT_FORMAT or snapshot.get("kind") != KIND:
            raise ValueError(f"not a passive run's snapshot: {snapshot.get('v')!r}")
        run = cls(
            config,
            int(snapshot["max_attempts"]),
            interactive=bool(snapshot.get("interactive", True)),
        )
        run.started = True
        run.attempt = int(snapshot["attempt"])
        run.verdict = snapshot["verdict"]
        run.reference_score = float(snapshot["reference_score"])
        run.reference_rank = int(snapshot.get("reference_rank", 0))
        run.frames = int(snapshot["frames"])
        run.phase = codes.DONE if run.verdict is not None else codes.HOLD
        return run

    # --- transitions ----------------------------------------------------------------------

    @property
    def _min_samples(self) -> int:
        return max(self.config.passive_hold_min_samples, self.config.passive_min_samples, 1)

    def _reset_attempt(self) -> None:
        self._since = None
        self._last_t = None
        self._held_ms = 0
        self._scores = []
        self._glitch_since = None
        self._places = FacePlaces()
        self._problems = {}
        self.progress = 0.0

    def _failure_status(self) -> str:
        many = self._problems.get(codes.MANY_FACES, 0)
        if many and many >= self._problems.get(codes.NO_FACE, 0):
            return codes.TOO_MANY_FACES
        return codes.FACE_NOT_DETECTED

    def _fail_attempt(self, events: list[dict[str, Any]]) -> None:
        status = self._failure_status()
        left = self.max_attempts - self.attempt
        events.append(
            {"type": EventKind.ATTEMPT_FAILED, "attempt": self.attempt, "attempts_left": left}
        )
        if left <= 0:
            self._conclude(passive_verdict([], status, self.config), events)
            return
        self.attempt += 1
        self._reset_attempt()
        if self.interactive:
            self.waiting_retry = True
            self.last_failure = {"attempts_left": left, "reason": status}

    def _conclude(self, verdict: PassiveVerdict, events: list[dict[str, Any]]) -> None:
        self.verdict = verdict
        self.phase = codes.DONE
        self.progress = 1.0 if verdict["result"]["status"] != codes.FACE_NOT_DETECTED else 0.0
        events.append({"type": EventKind.VERDICT, "verdict": verdict})

    # --- helpers --------------------------------------------------------------------------

    def _reference(self, obs: FrameObservation, shown: str) -> bool:
        """The sharpest frontal, eyes-open frame so far, ranked as `ChallengeRun` ranks it
        (`passive.rank_as_reference`): the server keeps it."""
        c = self.config
        if shown != codes.OK or not obs.has_face or obs.quality is None:
            return False
        if abs(obs.yaw) > c.neutral_yaw_max or abs(obs.pitch) > c.neutral_pitch_max:
            return False
        if min(obs.eye_right, obs.eye_left) < c.eye_open_min:
            return False
        rank = rank_as_reference(obs.live, c)
        if rank is None:
            return False
        score = obs.quality.sharpness * (1 - abs(obs.yaw) / 90) * (1 - abs(obs.pitch) / 90)
        if (rank, score) <= (self.reference_rank, self.reference_score):
            return False
        self.reference_rank, self.reference_score = rank, score
        return True

    def _step(
        self, shown: str, events: list[dict[str, Any]], *, audit: bool, candidate: bool
    ) -> Step:
        return Step(
            phase=self.phase,
            guidance=shown,
            attempt=self.attempt,
            attempts_left=self.max_attempts - self.attempt,
            index=0,
            total=0,
            events=events,
            reference_candidate=candidate,
            audit_frame=audit,
            verdict=dict(self.verdict) if self.verdict is not None else None,
            progress=round(self.progress, 3),
        )
