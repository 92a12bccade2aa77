"""Head pose and eye/mouth openness from face-mesh landmarks.

Landmarks are the compact subset of `gestures.landmarks`, as N rows [x, y, z] in pixels:
x to the image's right, y down, z the mesh's relative depth in x's scale (smaller = nearer).
They stay nested lists of floats from the model's readout to the gesture logic: every function
reads a handful of points, which plain float arithmetic does several times faster than numpy
(and building an array per frame costs more than the arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gestures import landmarks as lm

Rows = Sequence[Sequence[float]]  # N points, each [x, y, z]

_EYE_R_OUT, _EYE_R_IN = lm.rows("eye_r_out", "eye_r_in")
_EYE_L_OUT, _EYE_L_IN = lm.rows("eye_l_out", "eye_l_in")
_FOREHEAD, _FOREHEAD_MID = lm.rows("forehead", "forehead_mid")
_SUBNASALE = lm.ROW["subnasale"]
# Aperture figures: (corner, corner, [(upper, lower), ...]).
Aperture = tuple[int, int, list[list[int]]]
_EYE_R: Aperture = (
    _EYE_R_OUT, _EYE_R_IN, [lm.rows(f"eye_r_up{i}", f"eye_r_lo{i}") for i in (1, 2, 3)]
)  # fmt: skip
_EYE_L: Aperture = (
    _EYE_L_OUT, _EYE_L_IN, [lm.rows(f"eye_l_up{i}", f"eye_l_lo{i}") for i in (1, 2, 3)]
)  # fmt: skip
_MOUTH: Aperture = (
    lm.ROW["mouth_r"],
    lm.ROW["mouth_l"],
    [
        lm.rows("lip_in_up", "lip_in_lo"),
        lm.rows("lip_in_up_r", "lip_in_lo_r"),
        lm.rows("lip_in_up_l", "lip_in_lo_l"),
    ],
)


@dataclass(frozen=True)
class Pose:
    """Head angles in degrees.

    yaw < 0: the nose points toward the image's right (the subject turns to their own left);
    pitch > 0: the subject looks up; roll > 0: the head tilts toward the subject's left
    shoulder (the image's right side goes down).
    """

    yaw: float
    pitch: float
    roll: float


def head_pose(rows: Rows) -> Pose:
    """Angles of the face's own axes, built from the mesh's 3D points.

    1. x axis: from the subject's right eye corners to the left ones (anatomically fixed).
    2. y axis: from the forehead down to the base of the nose, made orthogonal to x.
    3. The face normal (toward the camera) gives yaw and pitch; the x axis in the image gives
       roll. The depth (z) comes from the mesh model; a photo can make it lie, which is why
       gestures also demand nose parallax (`gestures.planar`).
    """
    r_out, r_in, l_out, l_in = rows[_EYE_R_OUT], rows[_EYE_R_IN], rows[_EYE_L_OUT], rows[_EYE_L_IN]
    x = _unit(
        (l_out[0] + l_in[0]) / 2 - (r_out[0] + r_in[0]) / 2,
        (l_out[1] + l_in[1]) / 2 - (r_out[1] + r_in[1]) / 2,
        (l_out[2] + l_in[2]) / 2 - (r_out[2] + r_in[2]) / 2,
    )
    top, mid, bottom = rows[_FOREHEAD], rows[_FOREHEAD_MID], rows[_SUBNASALE]
    down = [bottom[k] - (top[k] + mid[k]) / 2 for k in (0, 1, 2)]
    along = down[0] * x[0] + down[1] * x[1] + down[2] * x[2]
    y = _unit(down[0] - along * x[0], down[1] - along * x[1], down[2] - along * x[2])
    # The face normal toward the camera: -(x cross y).
    out_x = -(x[1] * y[2] - x[2] * y[1])
    out_y = -(x[2] * y[0] - x[0] * y[2])
    out_z = -(x[0] * y[1] - x[1] * y[0])
    yaw = -math.degrees(math.atan2(out_x, -out_z))
    pitch = math.degrees(math.atan2(-out_y, -out_z))
    roll = math.degrees(math.atan2(x[1], x[0]))
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


def eye_openness(rows: Rows) -> tuple[float, float]:
    """(right, left) eye openness: lid gap over eye width, in the image plane (about 0.3 open)."""
    return _aperture(rows, *_EYE_R), _aperture(rows, *_EYE_L)


def mouth_openness(rows: Rows) -> float:
    """Inner-lip gap over mouth width (about 0 closed, 0.5 or more wide open)."""
    return _aperture(rows, *_MOUTH)


def _aperture(rows: Rows, corner_a: int, corner_b: int, pairs: list[list[int]]) -> float:
    a, b = rows[corner_a], rows[corner_b]
    width = math.hypot(a[0] - b[0], a[1] - b[1])
    if width <= 1e-6:
        return 0.0
    gaps = 0.0
    for upper, lower in pairs:
        p, q = rows[upper], rows[lower]
        gaps += math.hypot(p[0] - q[0], p[1] - q[1])
    return gaps / len(pairs) / width


def _unit(x: float, y: float, z: float) -> tuple[float, float, float]:
    norm = math.sqrt(x * x + y * y + z * z)
    return (x / norm, y / norm, z / norm) if norm > 1e-9 else (x, y, z)
