"""Is the face a plane? Asked of the pixels, not of the mesh.

The mesh model draws a whole 3D face into any picture of one: tilt a photo far enough and it
reports a nod and moves the nose it draws accordingly, so landmark parallax
(`gestures.planar`) alone can be fooled. The pixels cannot: every point of a flat picture
moves from one view to the next by one homography, so the neutral view of a photo, warped by
the best homography, reproduces the current view almost exactly. A real head that nods or
turns cannot be reproduced that way: the nose moves against the cheeks, the shading and the
outline change.

Each observation carries a small grey patch of the face in a canonical frame (`canonical`:
the outer eye corners at fixed places; cut by `workers.analysis.face_patch`).
`plane_correlation` starts from the homography of the landmarks that follow the image (eye
corners, brows, mouth corners), refines it on the pixels (inverse-compositional Lucas-Kanade,
Baker and Matthews 2004) and answers the zero-mean normalised correlation of the two views:
near 1 for a photo, clearly lower for a head that really moved (docs/ACCURACY.md). Pure numpy,
deterministic: a recorded session replays to the same answer.

The same holds for expressions: a picture cannot open its mouth. The mesh may redraw the lips
of a tilted photo apart, but its pixels below the nose still follow the neutral view by one
homography; a real jaw that drops does not (`from_row=MOUTH_ROW`: the correlation is taken
over the lower face only, after fitting the homography on the whole patch).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from gestures import landmarks as lm
from gestures.geometry import Rows

PATCH_W, PATCH_H = 64, 74  # pixels
PATCH_IOD = 1.8  # the patch is this many eye-corner distances across
PATCH_EYES_Y = 0.28 * PATCH_W  # the eye line's height in the patch, from the top
_BORDER = 4  # pixels at the edge left out: the warp pulls them from outside the patch
_ITERATIONS = 30
_STEP_DONE = 1e-3
_EYE_R_OUT, _EYE_L_OUT = lm.ROW["eye_r_out"], lm.ROW["eye_l_out"]
# The lower face in the patch: from just below the nose's middle (the eyes' height plus
# about half the outer-eye-corner distance) to the chin.
MOUTH_ROW = round(PATCH_EYES_Y + 0.45 * PATCH_W / PATCH_IOD)
# The eyes' band: the lids and the brows' lower edge, a quarter of the outer-eye-corner
# distance above and below the eye line.
EYE_ROWS = (
    round(PATCH_EYES_Y - 0.25 * PATCH_W / PATCH_IOD),
    round(PATCH_EYES_Y + 0.25 * PATCH_W / PATCH_IOD),
)

Array = npt.NDArray[np.float64]
# Patch rows (first, end), or rows and columns (first row, end row, first column, end column).
Band = tuple[int, int] | tuple[int, int, int, int]
Matrix = list[list[float]]


def canonical(rows: Rows) -> Matrix:
    """The similarity (3x3, frame pixels -> patch pixels) that puts the outer eye corners at
    fixed places: no roll, a fixed eye distance, the eyes' midpoint at (W/2, PATCH_EYES_Y)."""
    (rx, ry), (lx, ly) = rows[_EYE_R_OUT][:2], rows[_EYE_L_OUT][:2]
    iod = max(math.hypot(lx - rx, ly - ry), 1e-6)
    scale = PATCH_W / (PATCH_IOD * iod)
    cos, sin = (lx - rx) / iod * scale, (ly - ry) / iod * scale
    mx, my = (rx + lx) / 2, (ry + ly) / 2
    return [
        [cos, sin, PATCH_W / 2 - (cos * mx + sin * my)],
        [-sin, cos, PATCH_EYES_Y - (-sin * mx + cos * my)],
        [0.0, 0.0, 1.0],
    ]


def plane_correlation(
    neutral: bytes,
    neutral_rows: Rows,
    current: bytes,
    current_rows: Rows,
    anchors: Matrix,
    from_row: int = 0,
    to_row: int = PATCH_H,
) -> float:
    """Correlation (-1..1) of the current patch with the neutral one after the best
    homography between them; 1.0 = the current view is exactly a re-projection of the neutral
    one, as for a flat picture.

    1. The starting homography in patch coordinates: the anchors' homography (frame pixels,
       neutral -> current) between the two frames' canonical similarities, in coordinates
       centred and scaled to [-1, 1].
    2. Iterate: warp the current patch by the homography, solve for the update that brings
       it closer to the neutral one (both zero-mean, unit-variance: gain and offset of the
       light do not count), compose its inverse into the homography.
    3. Answer the correlation over the pixels that the final warp keeps inside the patch
       (the patch rows `from_row` to `to_row`).
    """
    (band,) = band_correlations(
        neutral, neutral_rows, current, current_rows, anchors, [(from_row, to_row)]
    )
    return band


def band_correlations(
    neutral: bytes,
    neutral_rows: Rows,
    current: bytes,
    current_rows: Rows,
    anchors: Matrix,
    bands: Sequence[Band],
) -> list[float]:
    """`plane_correlation` over several bands of patch rows (first, end), or of rows and
    columns (first row, end row, first column, end column), one fit for all."""
    template, image = _unit(_patch(neutral)), _patch(current)
    to_norm = np.array(
        [[1 / _X.scale, 0, -_X.centre / _X.scale], [0, 1 / _Y.scale, -_Y.centre / _Y.scale],
         [0, 0, 1]]
    )  # fmt: skip
    start = (
        to_norm
        @ np.array(canonical(current_rows))
        @ np.array(anchors)
        @ np.linalg.inv(np.array(canonical(neutral_rows)))
        @ np.linalg.inv(to_norm)
    )
    # Any homography that explains the pixels makes a plane: start from the landmarks' one and
    # from the canonical frames alone (identity), keep the better fit.
    fits = [
        _fit_correlations(template, image, start / start[2, 2], bands),
        _fit_correlations(template, image, np.eye(3), bands),
    ]
    return [max(values) for values in zip(*fits, strict=True)]


def _fit_correlations(
    template: Array, image: Array, start: Array, bands: Sequence[Band]
) -> list[float]:
    warp = _align(template, image, start)
    warped, inside = _warp(image, warp)
    inner = template[_BORDER:-_BORDER, _BORDER:-_BORDER]
    out = []
    for band in bands:
        from_row, to_row, from_col, to_col = band if len(band) == 4 else (*band, 0, PATCH_W)
        area = (  # inner pixels
            slice(max(from_row - _BORDER, 0), max(to_row - _BORDER, 0)),
            slice(max(from_col - _BORDER, 0), max(to_col - _BORDER, 0)),
        )
        keep = inside[area].reshape(-1)
        if keep.sum() < keep.size // 2:
            out.append(0.0)
            continue
        a = inner[area].reshape(-1)[keep]
        b = warped[area].reshape(-1)[keep]
        a, b = a - a.mean(), b - b.mean()
        denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
        out.append(float((a * b).sum() / denominator) if denominator > 0 else 0.0)
    return out


class _Axis:
    """Normalised coordinates (-1..1) of the patch's pixels along one axis."""

    def __init__(self, size: int, axis: int) -> None:
        self.size = size
        self.centre = self.scale = (size - 1) / 2
        coords = (np.arange(size) - self.centre) / self.scale
        grid = coords[None, :] if axis == 1 else coords[:, None]
        self.values = np.broadcast_to(grid, (PATCH_H, PATCH_W)).astype(np.float64)
        self.inner = self.values[_BORDER:-_BORDER, _BORDER:-_BORDER]


_X, _Y = _Axis(PATCH_W, 1), _Axis(PATCH_H, 0)


def _align(template: Array, image: Array, warp: Array) -> Array:
    gy, gx = np.gradient(template)
    gx, gy = gx * _X.scale, gy * _Y.scale  # per unit of the normalised coordinates
    x, y = _X.values, _Y.values
    radial = gx * x + gy * y
    steepest = np.stack(
        [gx * x, gy * x, gx * y, gy * y, gx, gy, -radial * x, -radial * y], axis=-1
    )[_BORDER:-_BORDER, _BORDER:-_BORDER].reshape(-1, 8)
    hessian = steepest.T @ steepest
    inner = _unit(template[_BORDER:-_BORDER, _BORDER:-_BORDER]).reshape(-1)
    for _ in range(_ITERATIONS):
        warped, inside = _warp(image, warp)
        if inside.sum() < inner.size // 2:
            return warp  # the warp ran away: no plane explains this
        error = _unit(warped, inside).reshape(-1) - inner
        error[~inside.reshape(-1)] = 0.0
        step = np.linalg.solve(hessian, steepest.T @ error)
        warp = warp @ np.linalg.inv(_homography(step))
        warp /= warp[2, 2]
        if float(np.abs(step).max()) < _STEP_DONE:
            break
    return warp


def _patch(data: bytes) -> Array:
    pixels = np.frombuffer(data, dtype=np.uint8)
    if pixels.size != PATCH_W * PATCH_H:
        raise ValueError(f"a face patch has {PATCH_W}x{PATCH_H} pixels, got {pixels.size}")
    return pixels.reshape(PATCH_H, PATCH_W).astype(np.float64)


def _unit(values: Array, mask: npt.NDArray[np.bool_] | None = None) -> Array:
    chosen = values if mask is None else values[mask]
    spread = float(chosen.std()) or 1.0
    return (values - float(chosen.mean())) / spread


def _homography(p: Array) -> Array:
    return np.array([[1 + p[0], p[2], p[4]], [p[1], 1 + p[3], p[5]], [p[6], p[7], 1.0]])


def _warp(image: Array, warp: Array) -> tuple[Array, npt.NDArray[np.bool_]]:
    """The image sampled (bilinear) at the warped positions of the inner pixels."""
    x, y = _X.inner, _Y.inner
    w = warp[2, 0] * x + warp[2, 1] * y + warp[2, 2]
    u = (warp[0, 0] * x + warp[0, 1] * y + warp[0, 2]) / w * _X.scale + _X.centre
    v = (warp[1, 0] * x + warp[1, 1] * y + warp[1, 2]) / w * _Y.scale + _Y.centre
    top_u, top_v = PATCH_W - 1.001, PATCH_H - 1.001
    inside = (u >= 0) & (v >= 0) & (u <= top_u) & (v <= top_v)
    u, v = np.clip(u, 0, top_u), np.clip(v, 0, top_v)
    u0, v0 = np.floor(u).astype(np.intp), np.floor(v).astype(np.intp)
    fu, fv = u - u0, v - v0
    top = image[v0, u0] * (1 - fu) + image[v0, u0 + 1] * fu
    bottom = image[v0 + 1, u0] * (1 - fu) + image[v0 + 1, u0 + 1] * fu
    return top * (1 - fv) + bottom * fv, inside
