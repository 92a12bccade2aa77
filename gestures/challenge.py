"""A liveness run: positioning, then one challenge per gesture, up to N attempts, a verdict.

Feed it frames in time order with `feed(observation, timestamp_ms)`; each call returns a
`Step` saying what to show the user and what happened. Time only ever comes from the caller,
so a recorded session replays to the same verdict. See docs/ENGINE.md.

An interactive run (the page's) also owns the user's two decisions: it is `ready` until
`start()`, and after a failed attempt with attempts left it waits in `attempt_failed` until
`retry()`; frames are not fed meanwhile. A non-interactive run (a clip, a test) starts at
once and retries at once. `state` is the phase the page shows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from gestures import codes
from gestures.challenge_frames import ChallengeFrames, _Frame
from gestures.config import EngineConfig
from gestures.detector import GestureTracker
from gestures.guidance import FacePlaces, guidance
from gestures.hand_challenge import HandTracker, is_hand_gesture
from gestures.observation import FrameObservation
from gestures.passive import PassiveEvidence
from gestures.steps import Step, reading_metrics
from gestures.verdict import GestureResult, build_verdict, gesture_result
from gestures.vocabulary import EventKind

_SNAPSHOT_FORMAT = 1


class ChallengeRun(ChallengeFrames):
    # In-flight state of the current phase, reset by `_reset_phase_state` (not persisted).
    _phase_since: int | None
    _ok_since: int | None
    _started: int | None
    _deadline: int | None
    _tracker: GestureTracker | HandTracker | None
    _wait_until: int | None
    _after_between: str
    _no_face_since: int | None
    _many_since: int | None
    _problems: Counter[str]

    def __init__(
        self,
        gestures: list[str],
        config: EngineConfig | None = None,
        max_attempts: int = 3,
        *,
        interactive: bool = False,
    ) -> None:
        unknown = [g for g in gestures if g not in codes.ENGINE_GESTURES]
        if not gestures or unknown:
            raise ValueError(f"gestures must be a non-empty list of {codes.ENGINE_GESTURES}")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.gestures = list(gestures)
        self.config = config or EngineConfig()
        self.max_attempts = max_attempts
        self.attempt = 1
        self.index = 0
        self.results: list[GestureResult | None] = [None] * len(gestures)
        self.phase = codes.POSITIONING
        self.verdict: dict[str, Any] | None = None
        self.reference_score = -1.0
        self.reference_rank = 0
        self.frames = 0
        self.passive = PassiveEvidence()
        self.interactive = interactive
        self.started = not interactive
        self.waiting_retry = False
        # Why the last attempt failed, while waiting for the retry: attempts_left, reason.
        self.last_failure: dict[str, Any] = {}
        self._places = FacePlaces()
        self._recent: list[tuple[int, FrameObservation]] = []
        self._glitch_since: int | None = None  # since when the frames lack exactly one face
        self._last_t: int | None = None
        self._interval = 0  # between the last two frames (at most 250 ms): what one frame spans
        self._reset_phase_state()

    # --- public API -------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """The phase the page is in: `ready` and `attempt_failed` besides the engine's own."""
        if not self.started:
            return codes.READY
        return codes.ATTEMPT_FAILED if self.waiting_retry else self.phase

    @property
    def accepts_frames(self) -> bool:
        return self.started and not self.waiting_retry and self.phase != codes.DONE

    def start(self) -> bool:
        """The user pressed Start; False when the run had started already."""
        if self.started:
            return False
        self.started = True
        return True

    def retry(self) -> bool:
        """The user asked to try again after a failed attempt; False when none is waiting.
        The next frame moves the run on (positioning for the next attempt)."""
        if not self.waiting_retry:
            return False
        self.waiting_retry, self.last_failure = False, {}
        return True

    def feed(self, obs: FrameObservation, timestamp_ms: int) -> Step:
        if not self.accepts_frames and self.phase != codes.DONE:
            raise RuntimeError(f"the run takes no frames while {self.state}")
        frame = _Frame(t_ms=timestamp_ms)
        self.frames += 1
        if self._last_t is not None:
            self._interval = min(max(timestamp_ms - self._last_t, 0), 250)
        self._last_t = timestamp_ms
        # Only a frame with one face says whose face was scored.
        self.passive.add(obs.live if obs.faces == 1 and obs.has_face else None)
        if self._phase_since is None:
            self._phase_since = timestamp_ms
        shown = guidance(obs, self._places.reference(timestamp_ms), timestamp_ms, self.config)
        self._places.remember(obs, timestamp_ms)
        self._remember_face(obs, timestamp_ms)
        if obs.faces == 1 and obs.has_face:
            self._glitch_since = None
        elif self._glitch_since is None:
            self._glitch_since = timestamp_ms
        metrics: dict[str, Any] = {}
        if self.phase == codes.POSITIONING:
            self._positioning(obs, shown, frame)
        elif self.phase == codes.CHALLENGE:
            shown, metrics = self._challenge(obs, shown, frame)
        elif self.phase == codes.BETWEEN:
            self._between(frame)
        return self._step(obs, shown, frame, metrics)

    def finish(self, timestamp_ms: int) -> Step:
        """No more frames will come (the clip ended, the user left): decide now, for good."""
        frame = _Frame(t_ms=timestamp_ms)
        self.waiting_retry, self.last_failure = False, {}
        if self.phase != codes.DONE:
            self.attempt = self.max_attempts
            self._fail_attempt(*self._failure_reason(), frame)
        return self._step(None, codes.OK, frame, {})

    def passive_due(self) -> bool:
        """Should the next frame be scored by the anti-spoofing models?"""
        return self.phase != codes.DONE and self.passive.due(self.config)

    def hands_due(self) -> bool:
        """Should the next frame go through the hand model too? Only while a hand challenge
        is open, or about to open after the pause between challenges: head-only runs never
        pay for it."""
        if self.phase == codes.CHALLENGE or (
            self.phase == codes.BETWEEN and self._after_between == codes.CHALLENGE
        ):
            return is_hand_gesture(self.gestures[self.index])
        return False

    def snapshot(self) -> dict[str, Any]:
        """JSON-safe progress: finished challenges and attempts used, not in-flight state."""
        return {
            "v": _SNAPSHOT_FORMAT,
            "gestures": self.gestures,
            "max_attempts": self.max_attempts,
            "attempt": self.attempt,
            "index": self.index,
            "results": self.results,
            "verdict": self.verdict,
            "reference_score": self.reference_score,
            "reference_rank": self.reference_rank,
            "frames": self.frames,
            "passive": self.passive.to_dict(),
            "interactive": self.interactive,
        }

    @classmethod
    def restore(cls, snapshot: dict[str, Any], config: EngineConfig | None = None) -> ChallengeRun:
        """Resume a run; an unfinished challenge restarts from positioning and neutral. A run
        is saved only once started, and a restored one does not wait for a retry: the user
        who reconnects goes on with the attempt it was on."""
        if snapshot.get("v") != _SNAPSHOT_FORMAT:
            raise ValueError(f"unsupported snapshot format {snapshot.get('v')!r}")
        run = cls(
            list(snapshot["gestures"]),
            config,
            int(snapshot["max_attempts"]),
            interactive=bool(snapshot.get("interactive", True)),
        )
        run.started = True
        run.attempt = int(snapshot["attempt"])
        run.index = int(snapshot["index"])
        run.results = list(snapshot["results"])
        run.verdict = snapshot["verdict"]
        run.reference_score = float(snapshot["reference_score"])
        run.reference_rank = int(snapshot.get("reference_rank", 0))
        run.frames = int(snapshot["frames"])
        run.passive = PassiveEvidence.from_dict(snapshot.get("passive"))
        run.phase = codes.DONE if run.verdict is not None else codes.POSITIONING
        return run

    # --- phases -------------------------------------------------------------------------------

    def _positioning(self, obs: FrameObservation, shown: str, frame: _Frame) -> None:
        c, t = self.config, frame.t_ms
        self._problems[shown] += 1
        if shown == codes.OK:
            self._ok_since = t if self._ok_since is None else self._ok_since
        elif not self._glitch(t):
            self._ok_since = None
        if (
            shown == codes.OK
            and self._ok_since is not None
            # The hold spans its last frame too: the same real time at 5 fps as at 30.
            and t - self._ok_since + self._interval >= c.positioning_hold_ms
        ):
            self._start_challenge(frame)
        elif self._phase_since is not None and t - self._phase_since >= c.positioning_timeout_ms:
            self._fail_attempt(*self._failure_reason(), frame)

    def _challenge(
        self, obs: FrameObservation, shown: str, frame: _Frame
    ) -> tuple[str, dict[str, Any]]:
        assert self._tracker is not None and self._deadline is not None
        t = frame.t_ms
        self._problems[shown] += 1
        if obs.faces != 1 or not obs.has_face:
            if isinstance(self._tracker, GestureTracker):
                self._tracker.note_frame(t)
            if not self._glitch(t):
                self._tracker.interrupt()
            lost = self._absent_since(obs, t)
            if lost is not None:
                self._fail_attempt(lost, None, frame)
            elif t >= self._deadline:
                self._fail_attempt(*self._failure_reason(), frame)
            return shown, {}
        self._no_face_since = self._many_since = None
        if isinstance(self._tracker, HandTracker):
            return self._hand_challenge(self._tracker, obs, frame), {}
        outcome = self._tracker.update(obs, t)
        metrics = reading_metrics(outcome.reading)
        if outcome.status == codes.MATCH:
            self._match(frame)
        elif outcome.status == codes.NOT_MATCH:
            self._fail_attempt(codes.NOT_MATCH, outcome.detected, frame)
        elif t >= self._deadline:
            self._fail_attempt(codes.NOT_MATCH, self._tracker.detected, frame)
        return (codes.OK if outcome.neutral else codes.LOOK_STRAIGHT), metrics

    def _hand_challenge(self, tracker: HandTracker, obs: FrameObservation, frame: _Frame) -> str:
        assert self._deadline is not None
        outcome = tracker.update(obs, frame.t_ms)
        if outcome.status == codes.MATCH:
            self._match(frame)
        elif outcome.status != "pending":
            self._fail_attempt(outcome.status, outcome.detected, frame)
        elif frame.t_ms >= self._deadline:
            self._fail_attempt(*tracker.timeout(), frame)
        return outcome.guidance

    def _between(self, frame: _Frame) -> None:
        if self._wait_until is None or frame.t_ms < self._wait_until:
            return
        if self._after_between == codes.CHALLENGE:
            self._start_challenge(frame)
        else:
            self._reset_phase_state()
            self.phase, self._phase_since = codes.POSITIONING, frame.t_ms

    # --- transitions --------------------------------------------------------------------------

    def _start_challenge(self, frame: _Frame) -> None:
        t = frame.t_ms
        self.phase = codes.CHALLENGE
        self._phase_since = self._started = t
        self._deadline = t + self.config.gesture_time_limit_ms
        gesture = self.gestures[self.index]
        if is_hand_gesture(gesture):
            # A hand shape must be formed after the challenge appears: no lead-in counts.
            self._tracker = HandTracker(gesture, self.config)
        else:
            self._tracker = GestureTracker(gesture, self.config)
            # A user who was already still and frontal when the challenge appeared has shown
            # the neutral pose: those frames count, so a quick reaction is not lost to the wait.
            for t_seen, seen in self._recent:
                self._tracker.warm(seen, t_seen)
        self._problems = Counter()
        frame.events.append(
            {
                "type": EventKind.CHALLENGE_STARTED,
                "index": self.index,
                "gesture": self.gestures[self.index],
                "attempt": self.attempt,
                "deadline_ms": self._deadline,
            }
        )

    def _match(self, frame: _Frame) -> None:
        gesture = self.gestures[self.index]
        duration = frame.t_ms - (self._started or frame.t_ms)
        self.results[self.index] = gesture_result(gesture, codes.MATCH, gesture, duration)
        frame.audit = True
        frame.events.append(
            {"type": EventKind.GESTURE_MATCHED, "index": self.index, "gesture": gesture,
             "duration_ms": duration}
        )  # fmt: skip
        if self.index == len(self.gestures) - 1:
            # The last gesture decides at once: the page is waiting for its redirect.
            self._conclude(frame)
            return
        self.index += 1
        self._wait(frame.t_ms, self.config.between_ms, codes.CHALLENGE)

    def _fail_attempt(self, status: str, detected: str | None, frame: _Frame) -> None:
        gesture = self.gestures[self.index]
        duration = frame.t_ms - self._started if self._started is not None else None
        self.results[self.index] = gesture_result(gesture, status, detected, duration)
        frame.audit = True
        left = self.max_attempts - self.attempt
        frame.events.append(
            {"type": EventKind.GESTURE_FAILED, "index": self.index, "gesture": gesture,
             "gesture_status": status, "detected_gesture": detected}
        )  # fmt: skip
        frame.events.append(
            {"type": EventKind.ATTEMPT_FAILED, "attempt": self.attempt, "attempts_left": left}
        )
        if left <= 0:
            self._conclude(frame)
            return
        self.attempt += 1
        self._wait(frame.t_ms, self.config.retry_delay_ms, codes.POSITIONING)
        if self.interactive:
            self.waiting_retry = True
            self.last_failure = {"attempts_left": left, "reason": status}

    def _conclude(self, frame: _Frame) -> None:
        self.verdict = build_verdict(self.gestures, self.results, self.passive.summary(self.config))
        self.phase = codes.DONE
        frame.events.append({"type": EventKind.VERDICT, "verdict": self.verdict})

    def _wait(self, t_ms: int, delay_ms: int, then: str) -> None:
        self._reset_phase_state()
        self.phase, self._phase_since = codes.BETWEEN, t_ms
        self._wait_until, self._after_between = t_ms + delay_ms, then

    # --- helpers (the frame-by-frame ones are in ChallengeFrames, gestures/challenge_frames.py) --

    def _reset_phase_state(self) -> None:
        self._phase_since = None
        self._ok_since = None
        self._started = None
        self._deadline = None
        self._tracker = None
        self._wait_until = None
        self._after_between = ""
        self._no_face_since = None
        self._many_since = None
        self._problems = Counter()
