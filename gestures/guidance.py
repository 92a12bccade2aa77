"""Positioning guidance: what the user should fix before a challenge can start."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gestures import codes
from gestures import landmarks as lm
from gestures.config import EngineConfig
from gestures.observation import FrameObservation

_EYE_CORNERS = lm.rows("eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in")


@dataclass(frozen=True)
class FacePlace:
    """Where the main face was, to tell whether it is holding still."""

    x: float
    y: float
    width: float
    t_ms: int

    @classmethod
    def of(cls, obs: FrameObservation, t_ms: int) -> FacePlace | None:
        if obs.box is None or obs.landmarks is None:
            return None
        # The eye corners, not the box: the box follows the jaw, which moves in speech.
        points = obs.landmarks
        x = sum(points[i][0] for i in _EYE_CORNERS) / len(_EYE_CORNERS)
        y = sum(points[i][1] for i in _EYE_CORNERS) / len(_EYE_CORNERS)
        return cls(x, y, obs.box[2], t_ms)


class FacePlaces:
    """Where the main face was over the last half second: `guidance` compares a frame with the
    place about a quarter second earlier (speed over a window, so landmark jitter from frame
    to frame does not read as movement)."""

    WINDOW_MS = 250

    def __init__(self) -> None:
        self._places: list[FacePlace] = []

    def remember(self, obs: FrameObservation, t_ms: int) -> None:
        place = FacePlace.of(obs, t_ms)
        if place is not None:
            self._places = [p for p in self._places if t_ms - p.t_ms <= self.WINDOW_MS * 2]
            self._places.append(place)

    def reference(self, t_ms: int) -> FacePlace | None:
        older = [p for p in self._places if t_ms - p.t_ms >= self.WINDOW_MS]
        return older[-1] if older else (self._places[0] if self._places else None)


def guidance(
    obs: FrameObservation, previous: FacePlace | None, t_ms: int, config: EngineConfig
) -> str:
    """The first problem found, in the order a user can fix them; `ok` when there is none."""
    if not obs.has_face or obs.quality is None:
        return codes.NO_FACE
    if obs.faces > 1:
        return codes.MANY_FACES
    q, c = obs.quality, config
    if q.brightness < c.brightness_min:
        return codes.TOO_DARK
    if q.brightness > c.brightness_max:
        return codes.TOO_BRIGHT
    if q.face_size < c.face_size_min:
        return codes.MOVE_CLOSER
    if q.face_size > c.face_size_max:
        return codes.MOVE_BACK
    if abs(q.center_x) > c.center_max_x or abs(q.center_y) > c.center_max_y:
        return codes.CENTER
    if _moving(obs, previous, t_ms, c):
        return codes.HOLD_STILL
    return codes.OK


def _moving(
    obs: FrameObservation, previous: FacePlace | None, t_ms: int, config: EngineConfig
) -> bool:
    here = FacePlace.of(obs, t_ms)
    if here is None or previous is None or t_ms <= previous.t_ms:
        return False
    travelled = math.hypot(here.x - previous.x, here.y - previous.y)
    speed = travelled / max(previous.width, 1.0) * 1000.0 / (t_ms - previous.t_ms)
    return speed > config.still_speed_max
