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
from gestures.geometry import Rows, eye_openness, mouth_openness

Matrix = list[list[float]]
_EYE_R_OUT = lm.ROW["eye_r_out"]
_EYE_L_OUT = lm.ROW["eye_l_out"]
_UPPER = lm.rows(
    "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in", "brow_in_r", "brow_in_l", "brow_mid_r",
    "brow_mid_l", "brow_out_r", "brow_out_l",
)  # fmt: skip
# Points that move with the skull only: no brows, lids or lips, and no cheeks (an opening jaw
# drags the lower face outline).
_SKULL = lm.rows(
    "forehead", "forehead_mid", "forehead_r", "forehead_l", "temple_hi_r", "temple_hi_l",
    "temple_r", "temple_l", "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in",
)  # fmt: skip
# The points eye and mouth openness read (corners and lid/lip pairs).
_OPENNESS = sorted(set(lm.EYE_R + lm.EYE_L + lm.MOUTH))


@dataclass(frozen=True)
class Parallax:
    """Nose offset from where a flat face would put it, in face-size units.

    x > 0: toward the image's right (a real turn to the subject's own left);
    y > 0: downward in the image (a real nod down).
    """

    x: float
    y: float


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
    # The same over the points that move with the skull only (no brows, lids, lips, jaw): what
    # a tilted card warps but raised brows, a squeezed blink or an open mouth do not.
    rigid_warp: float


def flat_view(neutral: Rows, current: Rows) -> FlatView:
    """Landmark rows of the neutral frame and of the current one (`FrameObservation.rows`).

    1. Fit the anchors' homography neutral -> current.
    2. Predict the nose of a flat face through it; the parallax is the real nose's offset
       from there, along and across the current eye line, in IOD.
    3. Map the current eyes and mouth back through its inverse and measure them there.
    4. The upper face's warp from neutral (`face_warp`), and the rigid points' alone.

    Plain float arithmetic on a few dozen points: right after the model call, each numpy
    routine's first use per frame costs tens of microseconds of cache misses.
    """
    h = _fit([neutral[i] for i in lm.ANCHORS], [current[i] for i in lm.ANCHORS])
    (a, b, c), (d, e, f), (g, k, m) = h
    dx = dy = 0.0
    for i in lm.NOSE:
        x, y = neutral[i][0], neutral[i][1]
        w = g * x + k * y + m
        dx += current[i][0] - (a * x + b * y + c) / w
        dy += current[i][1] - (d * x + e * y + f) / w
    dx, dy = dx / len(lm.NOSE), dy / len(lm.NOSE)
    # Along the eye line and across it, so a rolled head or a rotated phone does not mix the
    # horizontal and vertical parallax.
    ax = current[_EYE_L_OUT][0] - current[_EYE_R_OUT][0]
    ay = current[_EYE_L_OUT][1] - current[_EYE_R_OUT][1]
    iod = max(math.hypot(ax, ay), 1e-6)
    cos, sin = ax / iod, ay / iod
    along = cos * dx + sin * dy
    across = -sin * dx + cos * dy
    (a, b, c), (d, e, f), (g, k, m) = _adjugate(h)
    back = list(current)
    for i in _OPENNESS:
        x, y = current[i][0], current[i][1]
        w = g * x + k * y + m
        back[i] = [(a * x + b * y + c) / w, (d * x + e * y + f) / w]
    right, left = eye_openness(back)
    return FlatView(
        parallax=Parallax(x=along / iod, y=across / iod),
        openness=(right, left, mouth_openness(back)),
        warp=face_warp(neutral, current),
        rigid_warp=face_warp(neutral, current, _SKULL),
    )


def anchor_homography(neutral: Rows, current: Rows) -> Matrix:
    """The homography (frame pixels, neutral -> current) of the points pinned to the image."""
    return _fit([neutral[i] for i in lm.ANCHORS], [current[i] for i in lm.ANCHORS])


def face_warp(neutral: Rows, current: Rows, points: list[int] = _UPPER) -> float:
    """Anisotropy of the upper face's best affine map from one frame to another: 1.0 when the
    face only moved, scaled or rolled; a plane tilted or turned by an angle a gives about
    1 / cos(a). Upper-face points only (or the given rows), so an opening mouth does not count
    as a warp.

    1. Centre both point sets; the map's linear part is M = (S'S)^-1 S'D (least squares).
    2. Its singular values s1 >= s2 follow from s1^2 + s2^2 = |M|^2 and s1 * s2 = |det M|;
       the anisotropy is s1 / s2 = s1^2 / |det M|.
    """
    src, dst = [neutral[i] for i in points], [current[i] for i in points]
    n = len(src)
    mx, my = sum(p[0] for p in src) / n, sum(p[1] for p in src) / n
    mu, mv = sum(p[0] for p in dst) / n, sum(p[1] for p in dst) / n
    sxx = sxy = syy = sxu = sxv = syu = syv = 0.0
    for p, q in zip(src, dst, strict=True):
        x, y, u, v = p[0] - mx, p[1] - my, q[0] - mu, q[1] - mv
        sxx += x * x
        sxy += x * y
        syy += y * y
        sxu += x * u
        sxv += x * v
        syu += y * u
        syv += y * v
    det = sxx * syy - sxy * sxy
    if det <= 1e-12 * (sxx + syy) ** 2:
        return math.inf  # the points are collinear: no plane to compare
    # M = (S'S)^-1 S'D: rows for the source's x and y, columns for u and v.
    a, b = (syy * sxu - sxy * syu) / det, (syy * sxv - sxy * syv) / det
    c, e = (sxx * syu - sxy * sxu) / det, (sxx * syv - sxy * sxv) / det
    norm2, area = a * a + b * b + c * c + e * e, abs(a * e - b * c)
    if area <= 1e-18:
        return math.inf
    s1 = (math.sqrt(norm2 + 2 * area) + math.sqrt(max(norm2 - 2 * area, 0.0))) / 2
    return max(s1 * s1 / area, 1.0)


def shape_warp(neutral: Rows, current: Rows) -> float:
    """The face's change of 2D shape that an expression cannot make: the smaller of the upper
    face's warp and the skull's. A tilted or turned plane warps every part of the face alike;
    an expression only some (raised brows or squeezed lids warp the brows and eye corners, an
    opening jaw drags the mesh's temples and outline)."""
    return min(face_warp(neutral, current), face_warp(neutral, current, _SKULL))


def _fit(src: Rows, dst: Rows) -> Matrix:
    """The normalised DLT (Hartley).

    1. Move both point sets to their centroid and scale them to an RMS distance of sqrt(2).
    2. Each correspondence p = (x, y, 1) -> (u, v) gives the rows (-p, 0, u p) and
       (0, -p, v p) of the system A h = 0; the homography is the unit h minimising |A h|, the
       eigenvector of the 9x9 A'A with the smallest eigenvalue (the last right singular
       vector of A at half the cost of its SVD; the points are normalised, so squaring the
       condition number costs nothing measurable: both agree to 1e-15).
    3. Undo the scaling of step 1.
    """
    (cx, cy, s), (cu, cv, t) = _similarity(src), _similarity(dst)
    system = []
    for p, q in zip(src, dst, strict=True):
        x, y, u, v = (p[0] - cx) * s, (p[1] - cy) * s, (q[0] - cu) * t, (q[1] - cv) * t
        system.append((-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u))
        system.append((0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v))
    matrix = np.array(system)
    _, vectors = np.linalg.eigh(matrix.T @ matrix)
    g = vectors[:, 0].tolist()
    # h = T_dst^-1 @ G @ T_src with T(p) = scale * (p - centre), written out.
    rows = [
        [g[3 * i] * s, g[3 * i + 1] * s, g[3 * i + 2] - s * (cx * g[3 * i] + cy * g[3 * i + 1])]
        for i in range(3)
    ]
    last = rows[2]
    h = [[rows[i][j] / t + centre * last[j] for j in range(3)] for i, centre in ((0, cu), (1, cv))]
    h.append(last)
    if abs(last[2]) > 1e-12:
        h = [[value / last[2] for value in row] for row in h]
    return h


def _similarity(points: Rows) -> tuple[float, float, float]:
    n = len(points)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = sum(xs) / n, sum(ys) / n
    spread = (
        math.sqrt(sum([(x - cx) ** 2 + (y - cy) ** 2 for x, y in zip(xs, ys, strict=True)]) / n)
        or 1.0
    )
    return cx, cy, math.sqrt(2.0) / spread


def _adjugate(h: Matrix) -> Matrix:
    """The inverse up to scale, which is all a homography needs."""
    (a, b, c), (d, e, f), (g, k, m) = h
    return [
        [e * m - f * k, c * k - b * m, b * f - c * e],
        [f * g - d * m, a * m - c * g, c * d - a * f],
        [d * k - e * g, b * g - a * k, a * e - b * d],
    ]
