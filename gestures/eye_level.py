"""How open this user's eyes are when open, from the frontal frames a challenge has seen.

A challenge measures eyes against its neutral (`gestures.reading.Baseline`), and a neutral held
while the lids were closing would make every later blink look too shallow. The frames around
it tell the user's own open level: blinks and squints only ever lower the lids, so a high rank
of the recent readings is the open eye.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from gestures.config import EngineConfig
from gestures.geometry import Rows
from gestures.observation import FrameObservation
from gestures.planar import shape_warp
from gestures.reading import Baseline

# The open level: the reading at this rank (0..1) of the recent frontal frames, once there are
# this many of them.
_RANK = 0.8
_MIN_FRAMES = 3


def _level_rank(count: int) -> int:
    """The index, in `count` frontal readings sorted by openness, of the open-eye level."""
    return min(int(_RANK * count), count - 1)


@dataclass
class EyeLevel:
    config: EngineConfig
    # Eye openness (t_ms, right, left, landmarks) of the frontal frames of the last
    # `eye_level_ms`.
    seen: list[tuple[int, float, float, Rows]] = field(default_factory=list)

    def see(self, obs: FrameObservation, t_ms: int) -> None:
        """Keep a frontal frame's openness (others say nothing about the open eye)."""
        c = self.config
        if abs(obs.yaw) > c.neutral_yaw_max or abs(obs.pitch) > c.neutral_pitch_max:
            return
        horizon = t_ms - c.eye_level_ms
        self.seen = [e for e in self.seen if horizon <= e[0] < t_ms]
        assert obs.landmarks is not None
        self.seen.append((t_ms, obs.eye_right, obs.eye_left, obs.landmarks))

    def level(self) -> tuple[float, float] | None:
        """How open this user's eyes are when open: a high rank of the openness seen in the
        last `eye_level_ms` of frontal frames. Blinks and squints only ever lower the lids, so
        the upper part of the recent readings is the open eye; a high rank rather than the
        maximum, so one wide-eyed frame or a jittery landmark does not set it."""
        if len(self.seen) < _MIN_FRAMES:
            return None
        rank = _level_rank(len(self.seen))
        return sorted(e[1] for e in self.seen)[rank], sorted(e[2] for e in self.seen)[rank]

    def open(self, obs: FrameObservation) -> bool:
        """Both eyes at least `eye_open_ratio` of the open level (True without a level)."""
        level = self.level()
        if level is None:
            return True
        ratio = self.config.eye_open_ratio
        return obs.eye_right >= ratio * level[0] and obs.eye_left >= ratio * level[1]

    def lift(self, baseline: Baseline) -> Baseline:
        """For HEAD_11, a neutral taken on closing lids gets the user's open level as its eyes'
        neutral: the challenge asks to close and reopen, and users start closing as soon as it
        appears, often before a neutral can be held with open eyes; measured from closing
        lids, the closed eyes look too shallow to count as closed (`liveportrait_d7`)."""
        level = self.level()
        if level is None or not self.fits(baseline):
            return baseline
        ratio = self.config.eye_open_ratio
        if baseline.eye_right >= ratio * level[0] and baseline.eye_left >= ratio * level[1]:
            return baseline
        return dataclasses.replace(
            baseline,
            eye_right=max(baseline.eye_right, level[0]),
            eye_left=max(baseline.eye_left, level[1]),
            eyes_from_level=True,
        )

    def fits(self, baseline: Baseline) -> bool:
        """The open level applies only to a neutral of the shape of the frames it was read
        from: a user's head stays put between them, while a card tilted away as the challenge
        opens reads thin printed lids against the frontal level, and its "closed" lids would
        then skip the pixel check (`confirm_closed`; the bench's `pitch38 at open`)."""
        seen = sorted(self.seen, key=lambda e: e[1])
        level_frame = seen[_level_rank(len(seen))]
        return shape_warp(level_frame[3], baseline.landmarks) <= self.config.neutral_warp_max
