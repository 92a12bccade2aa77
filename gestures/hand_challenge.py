"""One hand challenge: watch the hand beside the user's face take the requested shape.

CONTRACT section 2: a hand gesture counts when the hand takes the requested shape after the
challenge opens (from no hand or another shape) and holds it briefly, with the user's face in
view. The run (`gestures.challenge.ChallengeRun`) feeds this tracker only frames with exactly
one face, so "face in view" holds for every frame it sees; it fails the attempt itself when
the face is lost.

Each frame gets one label from the hands found beside the face (`label`):
- `none`: no hand beside the face; `many`: two or more; `cut`: one hand touching the frame's
  edge (its fingers cannot all be seen);
- otherwise the hand's five-bit finger state, "01100".
Hands far from the face, or too small beside it (someone else's, behind the user), are not
beside it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from gestures import codes
from gestures.config import EngineConfig
from gestures.hands import Hand
from gestures.observation import FrameObservation

PENDING = "pending"
NONE, MANY, CUT = "none", "many", "cut"
_MAX_FRAME_MS = 150  # a longer gap between frames says nothing about how long a shape lasted
_EDGE_PX = 2.0  # landmarks this close to the border: the hand goes on beyond the frame
_WRIST, _MIDDLE_MCP = 0, 9

_GUIDANCE = {NONE: codes.NO_HAND, MANY: codes.MANY_HANDS, CUT: codes.HAND_CUT_OFF}


def is_hand_gesture(gesture: str) -> bool:
    return gesture in codes.HAND_GESTURES


def beside_face(hand: Hand, obs: FrameObservation, config: EngineConfig) -> bool:
    """The hand is near the face and about the size a hand of the same person would be."""
    if obs.box is None:
        return False
    fx, fy, fw, fh = obs.box
    x, y, w, h = hand.box()
    distance = math.hypot(x + w / 2 - (fx + fw / 2), y + h / 2 - (fy + fh / 2))
    wrist, mcp = hand.points[_WRIST], hand.points[_MIDDLE_MCP]
    palm = math.hypot(wrist[0] - mcp[0], wrist[1] - mcp[1])
    return distance <= config.hand_face_distance_max * fw and palm >= config.hand_size_min * fw


def cut_off(hand: Hand, obs: FrameObservation) -> bool:
    x, y, w, h = hand.box()
    return (
        x < _EDGE_PX
        or y < _EDGE_PX
        or x + w > obs.width - _EDGE_PX
        or y + h > obs.height - _EDGE_PX
    )


def label(obs: FrameObservation, config: EngineConfig) -> str:
    """What the frame shows beside the face: NONE, MANY, CUT or a finger state."""
    near = [h for h in obs.hands or [] if beside_face(h, obs, config)]
    if not near:
        return NONE
    if len(near) > 1:
        return MANY
    if cut_off(near[0], obs):
        return CUT
    return near[0].fingers


@dataclass
class _Hold:
    """How long one label has lasted: the last frame stands for the time until the next one,
    so a hold takes the same real time at 8 fps as at 30 fps."""

    value: str | None = None
    since: int = 0
    last: int = 0
    interval: int = 0
    frames: int = 0

    def see(self, value: str, t_ms: int) -> None:
        if value != self.value:
            self.value, self.since, self.frames, self.interval = value, t_ms, 1, 0
        else:
            self.frames += 1
            self.interval = min(max(t_ms - self.last, 0), _MAX_FRAME_MS)
        self.last = t_ms

    def lasted(self, t_ms: int) -> int:
        return t_ms - self.since + self.interval if self.frames >= 2 else 0


@dataclass
class HandOutcome:
    status: str  # PENDING, MATCH, NOT_MATCH or TOO_MANY_HANDS
    detected: str | None = None
    label: str = NONE
    guidance: str = codes.OK


@dataclass
class HandTracker:
    """The hand challenge for one requested code, fed frames with one face in time order."""

    gesture: str
    config: EngineConfig
    primed: bool = False  # something other than the shape was seen since the challenge opened
    detected: str | None = None  # the most telling shape seen, for NOT_MATCH reports
    _hold: _Hold = field(default_factory=_Hold)
    _seen: Counter[str] = field(default_factory=Counter)

    @property
    def shape(self) -> str:
        return self.gesture.removeprefix("HAND_")

    def update(self, obs: FrameObservation, t_ms: int) -> HandOutcome:
        """Steps: 1. label the frame; 2. a frame not showing the shape primes the challenge;
        3. the shape held `hand_hold_ms` after priming matches; 4. two hands held, or another
        of GLAIR's shapes (not a fist) held, fail the attempt."""
        c = self.config
        if obs.hands is None:
            # Not analysed for hands (the server had not yet heard the challenge opened).
            return HandOutcome(PENDING, None, NONE, codes.OK)
        seen = label(obs, c)
        self._seen[seen] += 1
        self._hold.see(seen, t_ms)
        held = self._hold.lasted(t_ms)
        shown = _GUIDANCE.get(seen, codes.OK)
        if seen != self.shape:
            self.primed = True
        if seen == self.shape and self.primed and held >= c.hand_hold_ms:
            return HandOutcome(codes.MATCH, self.gesture, seen, shown)
        if seen == MANY and held >= c.hand_many_fail_ms:
            return HandOutcome(codes.TOO_MANY_HANDS, None, seen, shown)
        other = f"HAND_{seen}"
        if other in codes.HAND_GESTURES and other != self.gesture:
            self.detected = other
            if seen != "00000" and held >= c.hand_other_hold_ms:
                return HandOutcome(codes.NOT_MATCH, other, seen, shown)
        return HandOutcome(PENDING, None, seen, shown)

    def interrupt(self) -> None:
        """A frame without exactly one face: a hold does not span it."""
        self._hold = _Hold()

    def timeout(self) -> tuple[str, str | None]:
        """GLAIR's status when time ran out: no hand, or two, for most of the challenge's
        frames says so; otherwise NOT_MATCH naming the last other shape seen."""
        shapes = sum(n for k, n in self._seen.items() if k not in (NONE, MANY, CUT))
        if self._seen[MANY] > max(shapes, self._seen[NONE] + self._seen[CUT]):
            return codes.TOO_MANY_HANDS, None
        if shapes == 0 or self._seen[NONE] + self._seen[CUT] > shapes:
            return codes.HAND_NOT_DETECTED, None
        return codes.NOT_MATCH, self.detected
