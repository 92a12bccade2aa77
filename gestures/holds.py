"""How long a label has been seen without interruption: the holds a gesture must last."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

MAX_FRAME_MS = 150  # a longer gap between frames says nothing about how long a pose lasted


@dataclass
class Hold:
    """How long one label has been seen without interruption.

    A label seen on the frames at t0..tn has lasted (tn - t0) plus one frame interval: the
    last frame stands for the time until the next one. So a hold needs the same real time at
    8 fps as at 30 fps (at 10 fps a 200 ms hold is two frames, not three).
    """

    since: int | None = None
    frames: int = 0
    last: int | None = None
    interval: int = 0
    bridged: bool = False  # a frame since the last one seen could not be read

    def see(self, present: bool, t_ms: int) -> None:
        bridged, self.bridged = self.bridged, False
        if not present:
            self.since, self.frames, self.last = None, 0, None
            return
        if self.since is None:
            self.since, self.frames = t_ms, 1
        else:
            self.frames += 1
            if self.last is not None:
                # Across a bridged frame the gap spans two intervals.
                gap = max(t_ms - self.last, 0) // (2 if bridged else 1)
                self.interval = min(gap, MAX_FRAME_MS)
        self.last = t_ms

    def bridge(self, t_ms: int) -> bool:
        """A frame that cannot be read (not one that shows something else): a hold in progress
        neither grows nor ends on it, once in a row and within `MAX_FRAME_MS` of the last
        frame seen. False (nothing bridged) otherwise."""
        if self.last is None or self.bridged or t_ms - self.last > MAX_FRAME_MS:
            return False
        self.bridged = True
        return True

    def would_hold(self, t_ms: int, hold_ms: int) -> bool:
        """Whether seeing the label once more, at `t_ms`, would complete the hold."""
        ahead = dataclasses.replace(self)
        ahead.see(True, t_ms)
        return ahead.held(t_ms, hold_ms)

    def held(self, t_ms: int, hold_ms: int) -> bool:
        if self.since is None:
            return False
        return t_ms - self.since + self.interval >= hold_ms and (hold_ms == 0 or self.frames >= 2)
