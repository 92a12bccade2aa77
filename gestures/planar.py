"""What a flat picture of a face cannot fake: parallax of the nose against the face's plane.

A photo, printed or on a screen, is a plane. However it is moved, tilted or turned, all its
points map from one view to another through a single homography. A real head is not flat: the
nose tip stands several centimetres in front of the eyes and forehead, so when the head turns
or nods the nose shifts against the plane through those points, by roughly `depth * sin(angle)` (about
0.43 IOD * sin(angle); IOD = distance between the outer eye corners). We fit the homography on
the sharply located points (eye corners, brows, mouth corners) of a neutral frame and of the
current frame, predict where a flat face would put the nose, and measure how far the real nose
is from there, in IOD.

The same homography, inverted, brings the current eyes and mouth back into the neutral view, so
a card tilted backwards (which squashes the eyes vertically) does not look like a blink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gestures import landmarks as lm
from gestures.geometry import Points, eye_openness, mouth_openness

Homography = Points
_EYE_R_OUT = lm.ROW["eye_r_out"]
_EYE_L_OUT = lm.ROW["eye_l_out"]
_UPPER = lm.rows(
    "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in", "brow_in_r", "brow_in_l", "brow_mid_r",
    "brow_mid_l", "brow_out_r", "brow_out_l",
)  # fmt: skip


@dataclass(frozen=True)
class Parallax:
    """Nose offset from where a flat face would put it, in face-size units.

    x > 0: toward the image's right (a real turn to the subject's own left);
    y > 0: downward in the image (a real nod down).
    """

    x: float
    y: float


def fit_homography(src: Points, dst: Points) -> Homography:
    """Least-squares homography src -> dst (N >= 4 points, (N, 2) each), normalised DLT."""
    src_n, t_src = _normalise(src)
    dst_n, t_dst = _normalise(dst)
    x, y = src_n[:, 0:1], src_n[:, 1:2]
    u, v = dst_n[:, 0:1], dst_n[:, 1:2]
    zero, one = np.zeros_like(x), np.ones_like(x)
    system = np.vstack(
        [
            np.hstack([-x, -y, -one, zero, zero, zero, u * x, u * y, u]),
            np.hstack([zero, zero, zero, -x, -y, -one, v * x, v * y, v]),
        ]
    )
    _, _, vt = np.linalg.svd(system)
    h: Homography = np.linalg.inv(t_dst) @ vt[-1].reshape(3, 3) @ t_src
    return h / h[2, 2] if abs(h[2, 2]) > 1e-12 else h


def apply_homography(h: Homography, points: Points) -> Points:
    ones = np.ones((points.shape[0], 1))
    mapped = np.hstack([points[:, :2], ones]) @ h.T
    return mapped[:, :2] / mapped[:, 2:3]


def nose_parallax(neutral: Points, current: Points) -> Parallax:
    """Offset of the real nose from the flat-face prediction, in the current face's axes."""
    return flat_view(neutral, current).parallax


def compensated_openness(neutral: Points, current: Points) -> tuple[float, float, float]:
    """(right eye, left eye, mouth) openness measured after undoing the face's 2D warp."""
    return flat_view(neutral, current).openness


@dataclass(frozen=True)
class FlatView:
    """The current frame compared with the neutral one through the anchors' homography.

    parallax: see `Parallax`. openness: (right eye, left eye, mouth) measured after mapping
    the current frame back onto the neutral view, where a tilted or turned card looks exactly
    as it did (so a card tilted backwards, which squashes the eyes, is no blink).
    """

    parallax: Parallax
    openness: tuple[float, float, float]
    warp: float  # how far the anchors' map is from a similarity: 1.0 = just moved/scaled/rolled


def flat_view(neutral: Points, current: Points) -> FlatView:
    h = fit_homography(neutral[lm.ANCHORS, :2], current[lm.ANCHORS, :2])
    predicted = apply_homography(h, neutral[lm.NOSE, :2])
    offset = (current[lm.NOSE, :2] - predicted).mean(axis=0)
    # Along the eye line and across it, so a rolled head or a rotated phone does not mix the
    # horizontal and vertical parallax.
    axis = current[_EYE_L_OUT, :2] - current[_EYE_R_OUT, :2]
    iod = max(math.hypot(float(axis[0]), float(axis[1])), 1e-6)
    cos, sin = axis[0] / iod, axis[1] / iod
    along = cos * offset[0] + sin * offset[1]
    across = -sin * offset[0] + cos * offset[1]
    back = current.copy()
    back[:, :2] = apply_homography(np.linalg.inv(h), current[:, :2])
    right, left = eye_openness(back)
    return FlatView(
        parallax=Parallax(x=float(along / iod), y=float(across / iod)),
        openness=(right, left, mouth_openness(back)),
        warp=_warp(neutral[_UPPER, :2], current[_UPPER, :2]),
    )


def face_warp(neutral: Points, current: Points) -> float:
    """Anisotropy of the upper face's map between two frames (see `_warp`)."""
    return _warp(neutral[_UPPER, :2], current[_UPPER, :2])


def _warp(src: Points, dst: Points) -> float:
    """Anisotropy of the best affine map src -> dst: 1.0 when the face only moved, scaled or
    rolled; a plane tilted or turned by an angle a gives about 1 / cos(a). Upper-face points
    only, so an opening mouth does not count as a warp."""
    design = np.hstack([src - src.mean(axis=0), np.ones((len(src), 1))])
    solution, *_ = np.linalg.lstsq(design, dst - dst.mean(axis=0), rcond=None)
    singular = np.linalg.svd(solution[:2], compute_uv=False)
    return float(singular[0] / max(singular[1], 1e-9))


def _normalise(points: Points) -> tuple[Points, Points]:
    centre = points.mean(axis=0)
    spread = float(np.sqrt(((points - centre) ** 2).sum(axis=1).mean())) or 1.0
    s = np.sqrt(2.0) / spread
    t = np.array([[s, 0.0, -s * centre[0]], [0.0, s, -s * centre[1]], [0.0, 0.0, 1.0]])
    ones = np.ones((points.shape[0], 1))
    return (np.hstack([points, ones]) @ t.T)[:, :2], t
