"""One challenge: wait for a neutral pose, then watch for the requested movement.

A gesture counts only as a movement from neutral (`Baseline`), held briefly. While waiting, a
clearly different head movement fails the challenge (NOT_MATCH); blinks and speech never do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from gestures import codes
from gestures.config import EngineConfig
from gestures.geometry import Rows
from gestures.observation import FrameObservation
from gestures.planar import face_warp
from gestures.reading import Baseline, Reading, read

PENDING = "pending"

_EYE_CODES = {codes.HEAD_00: "00", codes.HEAD_01: "01", codes.HEAD_10: "10", codes.HEAD_11: "11"}
_OPPOSITE_WINK = {codes.HEAD_01: "10", codes.HEAD_10: "01"}
# Gestures that must first show their opposite state: open-then-close, closed-then-open.
_PRIMERS = {codes.HEAD_CLOSE_MOUTH: ("mouth", "open"), codes.HEAD_11: ("eyes", "00")}


@dataclass
class _Hold:
    """How long one label has been seen without interruption."""

    since: int | None = None
    frames: int = 0

    def see(self, present: bool, t_ms: int) -> None:
        if not present:
            self.since, self.frames = None, 0
        elif self.since is None:
            self.since, self.frames = t_ms, 1
        else:
            self.frames += 1

    def held(self, t_ms: int, hold_ms: int) -> bool:
        if self.since is None:
            return False
        return t_ms - self.since >= hold_ms and (hold_ms == 0 or self.frames >= 2)


@dataclass
class Outcome:
    status: str  # PENDING, codes.MATCH or codes.NOT_MATCH
    detected: str | None = None
    reading: Reading | None = None
    neutral: bool = False  # the baseline is set: the user may now move


@dataclass
class GestureTracker:
    gesture: str
    config: EngineConfig
    baseline: Baseline | None = None
    primed: bool = False
    detected: str | None = None  # the most telling gesture seen so far, for NOT_MATCH reports
    _neutral: _Hold = field(default_factory=_Hold)
    _target: _Hold = field(default_factory=_Hold)
    _primer: _Hold = field(default_factory=_Hold)
    _other: dict[str, _Hold] = field(default_factory=dict)
    _last_face: tuple[float, float, float] | None = None
    _neutral_start: Rows | None = None

    def update(self, obs: FrameObservation, t_ms: int) -> Outcome:
        """Feed one frame with a face (callers handle face-less frames)."""
        if self._jumped(obs):
            self.baseline, self.primed = None, False  # another face: start from neutral again
        if self.baseline is None:
            return self._await_neutral(obs, t_ms)
        reading = read(self.baseline, obs, self.config)
        self._note_detected(reading)
        other = self._clear_other(reading, t_ms)
        if other is not None:
            return Outcome(codes.NOT_MATCH, other, reading, neutral=True)
        if self._matches(reading, t_ms):
            return Outcome(codes.MATCH, self.gesture, reading, neutral=True)
        return Outcome(PENDING, None, reading, neutral=True)

    def interrupt(self) -> None:
        """A frame without a usable face: holds restart, the baseline stays."""
        for hold in (self._neutral, self._target, self._primer, *self._other.values()):
            hold.see(False, 0)

    def _await_neutral(self, obs: FrameObservation, t_ms: int) -> Outcome:
        c = self.config
        neutral = (
            abs(obs.yaw) <= c.neutral_yaw_max
            and abs(obs.pitch) <= c.neutral_pitch_max
            and min(obs.eye_right, obs.eye_left) >= c.eye_open_min
            and obs.mouth < c.mouth_open_min
        )
        assert obs.landmarks is not None
        if neutral and self._neutral_start is not None:
            # A neutral pose is a still one: the face keeps its 2D shape while it is held, so a
            # card swept through a frontal-looking angle does not become the baseline.
            neutral = face_warp(self._neutral_start, obs.landmarks) <= c.neutral_warp_max
        self._neutral.see(neutral, t_ms)
        if not neutral:
            self._neutral_start = None
        elif self._neutral_start is None:
            self._neutral_start = obs.landmarks
        if neutral and self._neutral.held(t_ms, c.neutral_hold_ms):
            self.baseline = Baseline.of(obs)
            return Outcome(PENDING, neutral=True)
        return Outcome(PENDING)

    def _matches(self, reading: Reading, t_ms: int) -> bool:
        c, g = self.config, self.gesture
        if g in _PRIMERS and not self.primed:
            kind, wanted = _PRIMERS[g]
            state = reading.mouth_state if kind == "mouth" else reading.eyes
            self._primer.see(state == wanted, t_ms)
            hold = c.mouth_hold_ms if kind == "mouth" else c.eye_hold_ms
            self.primed = self._primer.held(t_ms, hold)
            return False
        if g in codes.POSE_GESTURES:
            self._target.see(reading.pose == g, t_ms)
            return self._target.held(t_ms, c.pose_hold_ms)
        if g == codes.HEAD_OPEN_MOUTH:
            self._target.see(reading.mouth_state == "open", t_ms)
            return self._target.held(t_ms, c.mouth_hold_ms)
        if g == codes.HEAD_CLOSE_MOUTH:
            self._target.see(reading.mouth_state == "closed", t_ms)
            return self._target.held(t_ms, c.mouth_hold_ms)
        self._target.see(reading.eyes == _EYE_CODES[g], t_ms)
        return self._target.held(t_ms, c.eye_hold_ms)

    def _clear_other(self, reading: Reading, t_ms: int) -> str | None:
        """A clearly different gesture, held: a head movement well past its threshold, or the
        other eye's wink during a wink challenge. Blinks and mouth movements never count."""
        c = self.config
        clear_pose = reading.pose if reading.pose_strength >= c.clear_other_factor else None
        candidates = {p: clear_pose == p for p in codes.POSE_GESTURES if p != self.gesture}
        wink = _OPPOSITE_WINK.get(self.gesture)
        if wink is not None:
            candidates["HEAD_" + wink] = reading.eyes == wink
        for gesture, present in candidates.items():
            hold = self._other.setdefault(gesture, _Hold())
            hold.see(present, t_ms)
            need = c.pose_hold_ms if gesture in codes.POSE_GESTURES else max(c.eye_hold_ms, 100)
            if present and hold.held(t_ms, need):
                return gesture
        return None

    def _note_detected(self, reading: Reading) -> None:
        if reading.pose is not None:
            self.detected = reading.pose
        elif reading.mouth_state == "open" and self.detected is None:
            self.detected = codes.HEAD_OPEN_MOUTH
        elif reading.eyes in ("00", "01", "10") and self.detected is None:
            self.detected = "HEAD_" + reading.eyes

    def _jumped(self, obs: FrameObservation) -> bool:
        assert obs.box is not None
        x, y, w, h = obs.box
        face = (x + w / 2, y + h / 2, w)
        last, self._last_face = self._last_face, face
        if last is None:
            return False
        distance = math.hypot(face[0] - last[0], face[1] - last[1])
        return distance > self.config.face_jump_max * max(last[2], 1.0)
