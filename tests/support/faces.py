"""A synthetic face for unit tests of the geometry: the landmark subset of `gestures.landmarks`
as 3D points, turned, nodded and placed in the image by known amounts.

Units are the distance between the outer eye corners (IOD); axes are the mesh's
(`gestures.geometry`): x to the image's right, y down, z depth (smaller = nearer). The
subject's right eye is on the image's left. Every point that head pose, openness and the
anchors' homography read (eye corners and lids, brows, mouth corners and lips, forehead, base
of the nose) lies in the plane z = 0, so a turn or a nod maps them by an exact affine map and
the expected figures are exact: only the nose tip stands out, NOSE_DEPTH in front of that
plane; the face outline lies behind it (z > 0), as a real head's does.

The projection is orthographic, as the mesh's x, y and z share one scale; a photo of the
face is `flat_picture`: the same points, all of them in one plane, moved by a homography.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gestures import landmarks as lm
from gestures.geometry import eye_openness, head_pose, mouth_openness
from gestures.observation import FrameObservation

NOSE_DEPTH = 0.43  # IOD, as EngineConfig.nose_depth_iod
EYE_WIDTH = 0.33  # outer to inner corner, IOD
MOUTH_WIDTH = 0.6  # corner to corner, IOD
IOD_PX = 100.0
CENTRE = (320.0, 240.0)
FRAME = (640, 480)

Points = dict[str, tuple[float, float, float]]
Rows = list[list[float]]
Matrix = list[list[float]]

_OUTLINE_R: Points = {
    "forehead_r": (-0.35, -0.9, 0.1),
    "temple_hi_r": (-0.6, -0.6, 0.25),
    "temple_r": (-0.75, -0.1, 0.45),
    "cheek_edge_r": (-0.8, 0.25, 0.5),
    "cheek_low_r": (-0.6, 0.6, 0.3),
    "jaw_r": (-0.65, 0.85, 0.4),
    "jaw_low_r": (-0.5, 1.1, 0.3),
    "chin_r": (-0.2, 1.3, 0.1),
    "brow_out_r": (-0.55, -0.22, 0.0),
    "brow_mid_r": (-0.35, -0.28, 0.0),
    "brow_in_r": (-0.15, -0.24, 0.0),
    "ala_r": (-0.15, 0.58, -0.15),
}


def face(*, eye_right: float = 0.3, eye_left: float = 0.3, mouth: float = 0.03) -> Points:
    """The frontal face, eyes and mouth open by the given openness (lid gap / eye width, lip
    gap / mouth width)."""
    points: Points = {
        "forehead": (0.0, -0.95, 0.0),
        "forehead_mid": (0.0, -0.6, 0.0),
        "chin": (0.0, 1.35, 0.05),
        "nose_tip": (0.0, 0.5, -NOSE_DEPTH),
        "nose_low": (0.0, 0.6, -NOSE_DEPTH),
        "subnasale": (0.0, 0.65, 0.0),
        "nose_bridge": (0.0, -0.1, -0.1),
        "glabella": (0.0, -0.25, -0.02),
    }
    for name, (x, y, z) in _OUTLINE_R.items():
        points[name] = (x, y, z)
        points[name[:-1] + "l"] = (-x, y, z)
    for side, sign, openness in (("r", -1.0, eye_right), ("l", 1.0, eye_left)):
        gap = openness * EYE_WIDTH
        points[f"eye_{side}_out"] = (sign * 0.5, 0.0, 0.0)
        points[f"eye_{side}_in"] = (sign * (0.5 - EYE_WIDTH), 0.0, 0.0)
        for i, x in enumerate((0.42, 0.335, 0.25), start=1):
            points[f"eye_{side}_up{i}"] = (sign * x, -gap / 2, 0.0)
            points[f"eye_{side}_lo{i}"] = (sign * x, gap / 2, 0.0)
    gap = mouth * MOUTH_WIDTH
    points["mouth_r"] = (-MOUTH_WIDTH / 2, 0.9, 0.0)
    points["mouth_l"] = (MOUTH_WIDTH / 2, 0.9, 0.0)
    for suffix, x in (("", 0.0), ("_r", -0.15), ("_l", 0.15)):
        points[f"lip_in_up{suffix}"] = (x, 0.9 - gap / 2, 0.0)
        points[f"lip_in_lo{suffix}"] = (x, 0.9 + gap / 2, 0.0)
    points["lip_out_up"] = (0.0, 0.9 - gap / 2 - 0.08, 0.0)
    points["lip_out_lo"] = (0.0, 0.9 + gap / 2 + 0.1, 0.0)
    assert set(points) == set(lm.NAMES)
    return points


def posed(points: Points, *, yaw: float = 0.0, pitch: float = 0.0) -> Points:
    """The head turned, then nodded, about the middle of its eye line, by angles in degrees
    with the signs of `gestures.geometry.Pose`: yaw < 0 turns the nose toward the image's
    right (the subject's own left), pitch > 0 looks up."""
    turn, nod = math.radians(-yaw), math.radians(pitch)
    out: Points = {}
    for name, (x, y, z) in points.items():
        x, z = x * math.cos(turn) - z * math.sin(turn), x * math.sin(turn) + z * math.cos(turn)
        y, z = y * math.cos(nod) + z * math.sin(nod), -y * math.sin(nod) + z * math.cos(nod)
        out[name] = (x, y, z)
    return out


def rows(
    points: Points,
    *,
    scale: float = IOD_PX,
    roll: float = 0.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> Rows:
    """Landmark rows in pixels (`FrameObservation.landmarks` order): the face `scale` pixels
    per IOD, rolled by `roll` degrees (> 0: the image's right side goes down), its eye line's
    middle at CENTRE + shift."""
    c, s = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    cx, cy = CENTRE[0] + shift[0], CENTRE[1] + shift[1]
    out = []
    for name in lm.NAMES:
        x, y, z = points[name]
        out.append([cx + scale * (c * x - s * y), cy + scale * (s * x + c * y), scale * z])
    return out


def through(h: Sequence[Sequence[float]], frame: Rows) -> Rows:
    """The rows moved by the homography `h` (3x3, pixels to pixels), depth kept."""
    out = []
    for x, y, z in frame:
        w = h[2][0] * x + h[2][1] * y + h[2][2]
        out.append(
            [
                (h[0][0] * x + h[0][1] * y + h[0][2]) / w,
                (h[1][0] * x + h[1][1] * y + h[1][2]) / w,
                z,
            ]
        )
    return out


def card_tilt(angle: float, *, axis: str = "vertical", focal: float = 1500.0) -> Matrix:
    """The homography of a flat picture at CENTRE turned by `angle` degrees about its vertical
    axis (its right edge moving away) or its horizontal one (its top edge moving away: tilted
    back), seen by a pinhole camera `focal` pixels away: a point (u, v) of the card, centred,
    goes to depth f + d and to the image at f * (u', v') / (f + d)."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    if axis == "vertical":  # (u, v) -> (u c, v) at depth f + u s
        centred = [[focal * c, 0.0, 0.0], [0.0, focal, 0.0], [s, 0.0, focal]]
    elif axis == "horizontal":  # (u, v) -> (u, v c) at depth f - v s
        centred = [[focal, 0.0, 0.0], [0.0, focal * c, 0.0], [0.0, -s, focal]]
    else:
        raise ValueError(axis)
    cx, cy = CENTRE
    move = [[1.0, 0.0, cx], [0.0, 1.0, cy], [0.0, 0.0, 1.0]]
    back = [[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]]
    return _product(move, _product(centred, back))


def observation(frame: Rows) -> FrameObservation:
    """What the analysis would report for these landmarks (no pixels: no patch, no quality)."""
    xs, ys = [p[0] for p in frame], [p[1] for p in frame]
    pose = head_pose(frame)
    right, left = eye_openness(frame)
    return FrameObservation(
        width=FRAME[0],
        height=FRAME[1],
        faces=1,
        box=(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)),
        yaw=pose.yaw,
        pitch=pose.pitch,
        roll=pose.roll,
        eye_right=right,
        eye_left=left,
        mouth=mouth_openness(frame),
        landmarks=frame,
    )


def point(frame: Rows, name: str) -> list[float]:
    return frame[lm.ROW[name]]


def _product(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]
