"""Head pose and eye/mouth openness from face-mesh landmarks (numpy only).

Landmarks are the compact subset of `gestures.landmarks`, as an (N, 3) array in pixels:
x to the image's right, y down, z the mesh's relative depth in x's scale (smaller = nearer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gestures import landmarks as lm

Points = npt.NDArray[np.float64]

_SIDE_R = lm.rows("eye_r_out", "eye_r_in")
_SIDE_L = lm.rows("eye_l_out", "eye_l_in")
_TOP = lm.rows("forehead", "forehead_mid")
_BOTTOM = lm.rows("subnasale")
_EYE_PAIRS_R = [lm.rows(f"eye_r_up{i}", f"eye_r_lo{i}") for i in (1, 2, 3)]
_EYE_PAIRS_L = [lm.rows(f"eye_l_up{i}", f"eye_l_lo{i}") for i in (1, 2, 3)]
_MOUTH_PAIRS = [
    lm.rows("lip_in_up", "lip_in_lo"),
    lm.rows("lip_in_up_r", "lip_in_lo_r"),
    lm.rows("lip_in_up_l", "lip_in_lo_l"),
]


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


def head_pose(points: Points) -> Pose:
    """Angles of the face's own axes, built from the mesh's 3D points.

    1. x axis: from the subject's right eye corners to the left ones (anatomically fixed).
    2. y axis: from the forehead down to the base of the nose, made orthogonal to x.
    3. The face normal (toward the camera) gives yaw and pitch; the x axis in the image gives
       roll. The depth (z) comes from the mesh model; a photo can make it lie, which is why
       gestures also demand nose parallax (`gestures.planar`).
    """
    x_axis = _unit(points[_SIDE_L].mean(axis=0) - points[_SIDE_R].mean(axis=0))
    down = points[_BOTTOM].mean(axis=0) - points[_TOP].mean(axis=0)
    y_axis = _unit(down - float(down @ x_axis) * x_axis)
    # The face normal toward the camera: -(x cross y), written out (np.cross is slow here).
    out = -np.array(
        [
            x_axis[1] * y_axis[2] - x_axis[2] * y_axis[1],
            x_axis[2] * y_axis[0] - x_axis[0] * y_axis[2],
            x_axis[0] * y_axis[1] - x_axis[1] * y_axis[0],
        ]
    )
    yaw = -math.degrees(math.atan2(out[0], -out[2]))
    pitch = math.degrees(math.atan2(-out[1], -out[2]))
    roll = math.degrees(math.atan2(x_axis[1], x_axis[0]))
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


def eye_openness(points: Points) -> tuple[float, float]:
    """(right, left) eye openness: lid gap over eye width, in the image plane (about 0.3 open)."""
    return (
        _aperture(points, _EYE_PAIRS_R, lm.rows("eye_r_out", "eye_r_in")),
        _aperture(points, _EYE_PAIRS_L, lm.rows("eye_l_out", "eye_l_in")),
    )


def mouth_openness(points: Points) -> float:
    """Inner-lip gap over mouth width (about 0 closed, 0.5 or more wide open)."""
    return _aperture(points, _MOUTH_PAIRS, lm.rows("mouth_r", "mouth_l"))


def face_scale(points: Points) -> float:
    """Size of the face in pixels: RMS distance of the plane points from their centre."""
    plane = points[lm.PLANE, :2]
    return float(np.sqrt(((plane - plane.mean(axis=0)) ** 2).sum(axis=1).mean()))


def _aperture(points: Points, pairs: list[list[int]], corners: list[int]) -> float:
    xy = points[:, :2]
    a, b = xy[corners[0]], xy[corners[1]]
    width = math.hypot(float(a[0] - b[0]), float(a[1] - b[1]))
    if width <= 1e-6:
        return 0.0
    upper = xy[[p[0] for p in pairs]]
    lower = xy[[p[1] for p in pairs]]
    gaps = np.sqrt(((upper - lower) ** 2).sum(axis=1))
    return float(gaps.mean()) / width


def _unit(vector: Points) -> Points:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-9 else vector
