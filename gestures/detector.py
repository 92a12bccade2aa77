"""One challenge: wait for a neutral pose, then watch for the requested movement.

A gesture counts only as a movement from neutral (`Baseline`), held briefly. While waiting, a
clearly different head movement fails the challenge (NOT_MATCH); blinks and speech never do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from gestures import codes
from gestures.config import EngineConfig
from gestures.eye_level import EyeLevel
from gestures.geometry import Rows
from gestures.holds import Hold
from gestures.lids import confirm_closed, confirm_eyes, confirm_wink, partly_closed
from gestures.observation import FrameObservation
from gestures.planar import shape_warp
from gestures.reading import (
    Baseline,
    Reading,
    Recent,
    along,
    confirm_from_recent,
    confirm_mouth,
    confirm_pixels,
    nose_agrees,
    read,
    whole_movement,
)

PENDING = "pending"
# Both eyes closing: a blink, or the closing half of HEAD_11's blink.
_BLINKS = (codes.HEAD_00, codes.HEAD_11)
_EYE_CODES = {codes.HEAD_00: "00", codes.HEAD_01: "01", codes.HEAD_10: "10", codes.HEAD_11: "11"}
_OPPOSITE_WINK = {codes.HEAD_01: "10", codes.HEAD_10: "01"}
_WINKS = tuple(_OPPOSITE_WINK)
_CLOSING = frozenset({codes.HEAD_00, codes.HEAD_01, codes.HEAD_10})
# Gestures that must first show their opposite state: open-then-close, closed-then-open.
_PRIMERS = {codes.HEAD_CLOSE_MOUTH: ("mouth", "open"), codes.HEAD_11: ("eyes", "00")}


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
    _neutral: Hold = field(default_factory=Hold)
    _target: Hold = field(default_factory=Hold)
    _primer: Hold = field(default_factory=Hold)
    _other: dict[str, Hold] = field(default_factory=dict)
    _last_face: tuple[float, float, float] | None = None
    _last_t: int | None = None  # the previous frame's time
    _neutral_start: Rows | None = None
    _neutral_frames: list[FrameObservation] = field(default_factory=list)
    _closed: tuple[float, float] | None = None  # lowest eye ratios while closed (HEAD_11)
    _widest: float | None = None  # the widest open mouth since neutral (HEAD_CLOSE_MOUTH)
    _recent: list[Recent] = field(default_factory=list)  # calm frames since neutral
    # (t_ms, d_yaw, d_pitch) of the neutral and the calm frames since, the last
    # `clear_other_recent_ms`: where a clearly different movement must have come from.
    _angles: list[tuple[int, float, float]] = field(default_factory=list)
    # The user's own open-eye level, from the frontal frames seen before the baseline was set.
    _levels: EyeLevel = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._levels = EyeLevel(self.config)

    def update(self, obs: FrameObservation, t_ms: int) -> Outcome:
        """Feed one frame with a face (callers handle face-less frames)."""
        gap = t_ms - self._last_t if self._last_t is not None else 0
        self.note_frame(t_ms)
        if self._jumped(obs):
            # Another face: it must hold its own neutral pose from this frame on, and nothing
            # the previous one began (a hold, a primer) carries over to it.
            self.baseline, self.primed, self._closed, self._widest = None, False, None, None
            self._target, self._primer, self._other = Hold(), Hold(), {}
            self._recent, self._angles = [], []
            self._neutral.see(False, t_ms)
            self._neutral_start, self._neutral_frames = None, []
        if self.baseline is None:
            return self._await_neutral(obs, t_ms)
        reading = read(self.baseline, obs, self.config, self.gesture)
        if reading.flat_pose == self.gesture or (
            # A movement that falls short of the neutral is measured from a recent frame only
            # while calm: moving lips and closing lids drag the mesh's pose (`_clear_other`).
            self.gesture in codes.POSE_GESTURES
            and reading.flat_pose is None
            and self._calm(reading)
        ):
            reading = confirm_from_recent(self.gesture, reading, obs, self._recent, self.config)
        self._remember(reading, obs, t_ms)
        if reading.pose is not None and self._decisive(reading, t_ms):
            # Only now ask the pixels whether the face is a flat picture (a few ms a frame):
            # once per hold, not on every frame of it.
            reading = confirm_pixels(self.baseline, obs, reading, self.config)
        if reading.mouth_state == "open" and self._mouth_decisive(t_ms):
            reading = confirm_mouth(self.baseline, obs, reading, self.config)
        if self.gesture in _BLINKS:
            # Closed lids only count when the pixels show them closing (a photo cannot).
            reading = confirm_closed(self.baseline, obs, reading, self.config)
            # A closed reading the pixels refused (`eye_plane` set) is not asked again: the
            # half-closed check's limits are stricter, it could not confirm it either.
            if (
                gap >= self.config.eye_sparse_gap_ms
                and reading.eye_plane is None
                and partly_closed(reading, self.config)
            ):
                reading = confirm_eyes(self.baseline, obs, reading, self.config)
        if self.gesture in _WINKS:
            # A wink, the challenge's or the other eye's, counts only when the pixels show
            # that eye's lids closing.
            reading = confirm_wink(self.baseline, obs, reading, self.config)
        self._note_detected(reading)
        other = self._clear_other(reading, t_ms)
        horizon = t_ms - self.config.clear_other_recent_ms
        self._angles = [a for a in self._angles if a[0] >= horizon]
        if self._calm(reading):  # closing lids and moving lips drag the pose (`_clear_other`)
            self._angles.append((t_ms, reading.d_yaw, reading.d_pitch))
        if other is not None:
            return Outcome(codes.NOT_MATCH, other, reading, neutral=True)
        if self._matches(reading, t_ms):
            return Outcome(codes.MATCH, self.gesture, reading, neutral=True)
        return Outcome(PENDING, None, reading, neutral=True)

    def warm(self, obs: FrameObservation, t_ms: int) -> None:
        """A frame from just before the challenge opened: it may show the neutral pose, never
        a gesture (a movement must come after the challenge appears). Not for eye gestures:
        the eyes' neutral is taken after the challenge appears, since lids that were
        squinting or mid-blink just before would set it too low. Their openness still tells
        how open this user's eyes are (`gestures.eye_level.EyeLevel`)."""
        self._levels.see(obs, t_ms)
        if self.gesture in codes.EYE_GESTURES:
            return
        if self.baseline is None and obs.faces == 1 and obs.has_face:
            if self._jumped(obs):
                self._neutral.see(False, t_ms)
            self._await_neutral(obs, t_ms)

    def note_frame(self, t_ms: int) -> None:
        """A frame came at `t_ms`, with a face or without: how sparse the frames are is
        measured between frames, not between faces (`eye_sparse_gap_ms`)."""
        self._last_t = t_ms

    def interrupt(self) -> None:
        """A frame without a usable face: holds restart, the baseline stays. A neutral hold
        starts again from nothing: its figures and pixels come from the frames after the gap
        only (what was in view before it may be gone)."""
        for hold in (self._neutral, self._target, self._primer, *self._other.values()):
            hold.see(False, 0)
        self._neutral_start, self._neutral_frames = None, []

    def _await_neutral(self, obs: FrameObservation, t_ms: int) -> Outcome:
        c = self.config
        self._levels.see(obs, t_ms)
        neutral = (
            abs(obs.yaw) <= c.neutral_yaw_max
            and abs(obs.pitch) <= c.neutral_pitch_max
            and min(obs.eye_right, obs.eye_left) >= c.eye_open_min
            and self._eyes_open(obs)
            # The mouth matters only to mouth gestures: a turn or a blink may start mid-word.
            and (obs.mouth < c.mouth_open_min or self.gesture not in codes.MOUTH_GESTURES)
        )
        assert obs.landmarks is not None
        if neutral and self._neutral_start is not None:
            # A neutral pose is a still one: the face keeps its 2D shape while it is held, so a
            # card swept through a frontal-looking angle does not become the baseline. The
            # shape an expression cannot change: lids squeezed shut or raised brows warp the
            # upper face by 1.10-1.14 (`liveportrait_d7`) while the head stays still.
            neutral = shape_warp(self._neutral_start, obs.landmarks) <= c.neutral_warp_max
        self._neutral.see(neutral, t_ms)
        if not neutral:
            self._neutral_start, self._neutral_frames = None, []
        elif self._neutral_start is None:
            self._neutral_start = obs.landmarks
        if neutral:
            self._neutral_frames.append(obs)
        if neutral and self._neutral.held(t_ms, c.neutral_hold_ms):
            # The user's own neutral, measured over the whole hold: one frame caught mid-blink
            # or mid-word would make every later blink or mouth look smaller than it is.
            baseline = Baseline.over(self._neutral_frames, c.neutral_patch_open_ratio)
            # HEAD_11: a neutral taken on closing lids gets the user's open level as its eyes'.
            self.baseline = (
                self._levels.lift(baseline) if self.gesture == codes.HEAD_11 else baseline
            )
            self._neutral_frames = []
            self._angles = [(t_ms, 0.0, 0.0)]
            return Outcome(PENDING, neutral=True)
        return Outcome(PENDING)

    def _eyes_open(self, obs: FrameObservation) -> bool:
        """For a closing gesture (HEAD_00, HEAD_01, HEAD_10), both eyes open against the user's
        own open level: a neutral taken while the lids were closing (a slow blink) would set
        the eyes' neutral too low, and the closed eyes would then look too shallow to count.
        Other gestures keep the absolute floor only: a smile narrows the eyes to 0.7-0.8 of
        their open level for seconds (`lp_d12`), and a head or mouth gesture may start in it;
        HEAD_11 measures its reopening from the closed lids as well (`_reopened`)."""
        return self.gesture not in _CLOSING or self._levels.open(obs)

    def _matches(self, reading: Reading, t_ms: int) -> bool:
        c, g = self.config, self.gesture
        if g == codes.HEAD_11 and reading.eyes == "00":
            # Closed, or still closing: the reopening is measured from the lowest reading.
            right, left = self._closed or (math.inf, math.inf)
            self._closed = (min(right, reading.eye_right), min(left, reading.eye_left))
        if g == codes.HEAD_CLOSE_MOUTH and reading.mouth_state == "open":
            self._widest = max(self._widest or reading.mouth, reading.mouth)
        if g in _PRIMERS and not self.primed:
            kind, wanted = _PRIMERS[g]
            state = reading.mouth_state if kind == "mouth" else reading.eyes
            if kind == "mouth" and not reading.still and self._primer.bridge(t_ms):
                return False
            self._primer.see(state == wanted, t_ms)
            hold = c.mouth_hold_ms if kind == "mouth" else c.eye_hold_ms
            self.primed = self._primer.held(t_ms, hold)
            return False
        if g in codes.POSE_GESTURES:
            # Frames on the way (there, or back between whole ones) hold it too; only a whole
            # one completes it.
            full = reading.pose == g
            self._target.see(full or self._on_the_way(reading), t_ms)
            return full and self._target.held(t_ms, c.pose_hold_ms)
        if g == codes.HEAD_OPEN_MOUTH:
            # A frame whose face shape jittered past `face_warp_max` (the mesh at 320 px) has no
            # mouth reading: it does not break the hold, once (`Hold.bridge`).
            if not reading.still and self._target.bridge(t_ms):
                return False
            self._target.see(reading.mouth_state == "open", t_ms)
            return self._target.held(t_ms, c.mouth_hold_ms)
        if g == codes.HEAD_CLOSE_MOUTH:
            # After an open mouth held (the primer), closing it is a change of state, like a
            # blink: one frame shows it (lips that meet in speech stay closed about 0.1 s).
            self._target.see(self._mouth_closed(reading), t_ms)
            return self._target.held(t_ms, c.eye_hold_ms)
        self._target.see(reading.eyes == _EYE_CODES[g] or self._reopened(reading), t_ms)
        return self._target.held(t_ms, c.eye_hold_ms)

    def _mouth_closed(self, reading: Reading) -> bool:
        """HEAD_CLOSE_MOUTH after its primer: the lips closed (`mouth_closed_max`), or, on a
        frame of neutral shape and below `mouth_open_min`, back `mouth_closed_share` of the
        way or more from the widest open mouth since neutral (`_widest`, kept by `_matches`)
        to the neutral: lips that rest a little apart after a word have closed the mouth that
        was opened. The opening itself was asked of the pixels (`confirm_mouth` on the
        primer's deciding frame): a picture never gets this far."""
        assert self.baseline is not None
        c = self.config
        if reading.mouth_state == "closed":
            return True
        if not reading.still or reading.mouth >= c.mouth_open_min or self._widest is None:
            return False  # a mouth this open is never closed, whatever the user's neutral
        neutral = self.baseline.mouth
        return reading.mouth - neutral <= c.mouth_closed_share * (self._widest - neutral)

    def _reopened(self, reading: Reading) -> bool:
        """HEAD_11 after its primer: both eyes clearly back above how they read closed. Read
        while the head is within the turn and nod thresholds, whatever the face's 2D shape,
        when the pixels confirmed the closing (a picture cannot make it, and a head moving on
        right after the blink warps the face: `lp_d9_glasses_blink` at 8 fps). A neutral whose
        eyes were set from the open level (`Baseline.eyes_from_level`) has its closed lids
        unconfirmed, so there the face must keep its neutral shape too: a card tilted as the
        challenge opens reads closed lids against that level, and tilted back it reads them
        reopening while its shape warps by 1.13-1.22."""
        if self.gesture != codes.HEAD_11 or self._closed is None:
            return False
        assert self.baseline is not None
        c = self.config
        if abs(reading.d_yaw) >= c.turn_yaw_deg or abs(reading.d_pitch) >= c.nod_pitch_deg:
            return False
        if self.baseline.eyes_from_level and not reading.still:
            return False
        rise = c.eye_reopen_rise
        right, left = self._closed
        return reading.eye_right >= right + rise and reading.eye_left >= left + rise

    def _clear_other(self, reading: Reading, t_ms: int) -> str | None:
        """A clearly different gesture, held: a head movement well past its threshold, or the
        other eye's wink during a wink challenge. Blinks and mouth movements never count.

        A head movement counts only while the eyes are open and the mouth is as it was at
        neutral, and only when held `clear_other_hold_ms` (longer than a gesture's own hold):
        closing lids and moving lips drag the mesh's forehead-to-nose axis, which reads as a
        short nod, and a nod that is only a blink must never fail a challenge."""
        c = self.config
        clear_pose = reading.pose if self._clear_pose(reading, t_ms) else None
        candidates = {p: clear_pose == p for p in codes.POSE_GESTURES if p != self.gesture}
        wink = _OPPOSITE_WINK.get(self.gesture)
        if wink is not None:
            candidates["HEAD_" + wink] = reading.eyes == wink
        for gesture, present in candidates.items():
            hold = self._other.setdefault(gesture, Hold())
            hold.see(present, t_ms)
            need = c.clear_other_hold_ms if gesture in codes.POSE_GESTURES else 100
            if present and hold.held(t_ms, max(need, c.eye_hold_ms)):
                return gesture
        return None

    def _clear_pose(self, reading: Reading, t_ms: int) -> bool:
        """Is this frame's head movement (`reading.pose`) clearly one: `clear_other_factor`
        times its threshold from neutral, calm, and as far past where the head was lately:
        the calm frame of the last `clear_other_recent_ms` (the neutral among them while it
        is that recent) that lies farthest the other way?

        A movement is made, not piled up: `lp_d9_glasses_blink` took a neutral 5 degrees
        down mid-smile, then talked with his chin a little up, 12-13 degrees above that
        neutral for seconds; or drifted 14 degrees down through a minute's wobbles. A look
        made on purpose takes well under a second, so it is this far from where the head
        was two seconds before. A window no longer than the hold (`clear_other_hold_ms`)
        would leave no frame from before the movement: no head movement would ever fail a
        challenge (0 turns the rule off)."""
        c = self.config
        pose = reading.pose
        if pose is None or reading.pose_strength < c.clear_other_factor or not self._calm(reading):
            return False
        horizon = t_ms - c.clear_other_recent_ms
        earlier = [along(pose, y, p) for t, y, p in self._angles if t >= horizon]
        if not earlier:
            return True
        start = min(earlier)
        whole = whole_movement(pose, c)
        return along(pose, reading.d_yaw, reading.d_pitch) - start >= c.clear_other_factor * whole

    def _decisive(self, reading: Reading, t_ms: int) -> bool:
        """Would this frame's landmark-confirmed pose complete a hold: the challenge's own
        movement (a match) or a clearly different one (a failure)?"""
        c, pose = self.config, reading.pose
        if pose == self.gesture:
            return self._target.would_hold(t_ms, c.pose_hold_ms)
        if pose is None or not self._clear_pose(reading, t_ms):
            return False
        hold = self._other.get(pose, Hold())
        return hold.would_hold(t_ms, max(c.clear_other_hold_ms, c.eye_hold_ms))

    def _on_the_way(self, reading: Reading) -> bool:
        """A frame on the way to or from the challenge's head movement: `pose_near_share` of
        its threshold (`turn_move_deg`, `nod_pitch_deg`) on its side of the neutral, the nose
        moved against the face plane as much as a real head's does for that angle
        (`nose_agrees`: a picture's does not), and not refused as a picture's on this frame
        (`flat`: by the landmarks, or by the pixels when it was a whole movement). It starts
        or continues the movement's hold (a frame halfway back between two whole ones keeps
        it); only a whole movement completes it, on a frame the pixels are asked about
        (`_decisive`), which is the one the audit keeps. A brisk look at
        the page's 8 frames/s or fewer shows its whole extent on one frame only, after one on
        its way there (`bench/phases.py --speed`)."""
        g, c = self.gesture, self.config
        if reading.flat or c.pose_near_share == 0:
            return False
        moved = along(g, reading.d_yaw, reading.d_pitch)
        near = moved >= c.pose_near_share * whole_movement(g, c)
        return near and nose_agrees(g, reading.parallax, moved, c)

    def _remember(self, reading: Reading, obs: FrameObservation, t_ms: int) -> None:
        """Keep this frame as a place to measure a movement from, when it is calm (head
        gestures only: nothing else asks)."""
        if self.gesture not in codes.POSE_GESTURES:
            return
        horizon = t_ms - self.config.pose_reference_ms
        self._recent = [r for r in self._recent if r.t_ms >= horizon]
        if self._calm(reading) and obs.landmarks is not None:
            self._recent.append(Recent(t_ms, reading.d_yaw, reading.d_pitch, obs.landmarks))

    def _mouth_decisive(self, t_ms: int) -> bool:
        """Would an open mouth on this frame complete the challenge's open-mouth hold (its own,
        or HEAD_CLOSE_MOUTH's primer)?"""
        hold = self.config.mouth_hold_ms
        if self.gesture == codes.HEAD_OPEN_MOUTH:
            return self._target.would_hold(t_ms, hold)
        if self.gesture == codes.HEAD_CLOSE_MOUTH and not self.primed:
            return self._primer.would_hold(t_ms, hold)
        return False

    def _calm(self, reading: Reading) -> bool:
        """Eyes open and mouth as at neutral: nothing that could drag the pose estimate."""
        c = self.config
        assert self.baseline is not None
        eyes_open = min(reading.eye_right, reading.eye_left) >= c.eye_open_ratio
        mouth_still = reading.mouth - self.baseline.mouth < c.mouth_open_rise / 2
        return eyes_open and mouth_still

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
