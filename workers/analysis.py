"""One frame in, one `FrameObservation` out: decode, face mesh, geometry, quality figures.

Thread-safe: each thread of each process uses its own MediaPipe graph (see `workers.mesh`), and
every frame is analysed on its own, so frames of one session may go to any worker.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np
from cv2.typing import MatLike

from gestures.geometry import eye_openness, head_pose, mouth_openness
from gestures.observation import FrameObservation, Quality
from gestures.texture import PATCH_H, PATCH_W, canonical
from workers.antispoof import live_probability
from workers.decode import FrameError, Image, Limits, decode_rgb
from workers.hands import run_hands
from workers.mesh import Face, run_face_mesh

__all__ = ["FrameError", "analyze_image", "analyze_rgb"]

_SECOND_FACE_MIN = 1 / 3  # of the main face's width: smaller faces are background
_QUALITY_WIDTH = 64  # the face is scaled to this width before measuring brightness and sharpness


def analyze_image(
    data: bytes, limits: Limits, *, passive: bool = False, hands: bool = False
) -> FrameObservation:
    """Decode JPEG/PNG/WebP bytes within `limits` and analyse them. Raises `FrameError` for bad
    input. The server passes the limits of its settings (`sessions.engine.frame_limits`). With
    `passive`, the face of a frame that shows exactly one is also scored by the anti-spoofing
    models (`FrameObservation.live`). With `hands` (a hand challenge is open), the hand model
    runs too (`FrameObservation.hands`).
    """
    return analyze_rgb(decode_rgb(data, limits), passive=passive, hands=hands)


def analyze_rgb(rgb: Image, *, passive: bool = False, hands: bool = False) -> FrameObservation:
    """Analyse an RGB uint8 frame (height, width, 3)."""
    obs = observe(rgb, run_face_mesh(rgb).faces)
    if hands:
        obs = dataclasses.replace(obs, hands=run_hands(rgb))
    # Only a frame with one face is scored: with several, whose liveness would it be?
    if passive and obs.box is not None and obs.faces == 1:
        obs = dataclasses.replace(obs, live=live_probability(rgb, obs.box))
    return obs


def observe(rgb: Image, faces: list[Face]) -> FrameObservation:
    """The geometry and quality figures of a frame whose faces the model found."""
    height, width = rgb.shape[:2]
    if not faces:
        return FrameObservation(width=width, height=height, faces=0)
    # The main face is the largest one: the person in front of the camera.
    main = faces[0] if len(faces) == 1 else max(faces, key=_face_width)
    rows = [[x * width, y * height, z * width] for x, y, z in main]
    box = _box(rows, width, height)
    # A second detection centred inside the main face is the same face found twice (the
    # static-mode detector does that for a frame now and then), not a second person; nor is a
    # face under a third of the main one's width (a poster, a photo on the wall, a screen far
    # behind), which the user cannot be asked to remove.
    main_width = _face_width(main)
    others = [f for f in faces if f is not main and _face_width(f) >= main_width * _SECOND_FACE_MIN]
    seen = 1 + sum(1 for face in others if not _inside(_centre(face, width, height), box))
    pose = head_pose(rows)
    right, left = eye_openness(rows)
    return FrameObservation(
        width=width,
        height=height,
        faces=seen,
        box=box,
        yaw=pose.yaw,
        pitch=pose.pitch,
        roll=pose.roll,
        eye_right=right,
        eye_left=left,
        mouth=mouth_openness(rows),
        quality=_quality(rgb, box),
        landmarks=rows,
        patch=face_patch(rgb, rows),
    )


def _face_width(face: Face) -> float:
    xs = [point[0] for point in face]
    return max(xs) - min(xs)


def face_patch(rgb: Image, rows: Face) -> bytes:
    """The face as a small grey patch in the canonical frame of `gestures.texture` (the outer
    eye corners at fixed places), so that between two frames' patches only what a similarity
    cannot explain differs: a tilt, a turn, a real head's 3D.

    Only the patch's footprint in the frame is converted and resampled (it costs a tenth of
    doing the whole frame); a large shrink is area-averaged first, so the patch does not alias.
    """
    matrix = np.array(canonical(rows))
    corners = np.linalg.inv(matrix) @ np.array(
        [[0, PATCH_W, 0, PATCH_W], [0, 0, PATCH_H, PATCH_H], [1, 1, 1, 1]], dtype=np.float64
    )
    height, width = rgb.shape[:2]
    x0, y0 = (max(int(v) - 2, 0) for v in corners[:2].min(axis=1))
    x1, y1 = (int(v) + 3 for v in corners[:2].max(axis=1))
    x1, y1 = min(max(x1, x0 + 1), width), min(max(y1, y0 + 1), height)
    if x0 >= width or y0 >= height:
        return bytes(PATCH_W * PATCH_H)
    grey: MatLike = rgb[y0:y1, x0:x1]  # a view: warped first, turned grey at patch size
    matrix = matrix @ np.array([[1.0, 0, x0], [0, 1.0, y0], [0, 0, 1]])
    scale = math.hypot(matrix[0, 0], matrix[0, 1])
    while scale < 0.5 and min(grey.shape) >= 4:
        # Halving by area averaging is OpenCV's fast path (an arbitrary factor is ten times
        # slower); the last step, at most 2x, is left to the bilinear warp.
        grey = cv2.resize(
            grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
        matrix = matrix @ np.diag([2.0, 2.0, 1.0])
        scale *= 2
    patch = cv2.warpAffine(
        grey, matrix[:2], (PATCH_W, PATCH_H), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    return cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY).tobytes()


def _centre(face: Face, width: int, height: int) -> tuple[float, float]:
    xs, ys = [point[0] for point in face], [point[1] for point in face]
    return (min(xs) + max(xs)) / 2 * width, (min(ys) + max(ys)) / 2 * height


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


def _box(rows: Face, width: int, height: int) -> tuple[float, float, float, float]:
    xs, ys = [point[0] for point in rows], [point[1] for point in rows]
    x0, y0 = max(min(xs), 0.0), max(min(ys), 0.0)
    x1, y1 = min(max(xs), width), min(max(ys), height)
    return x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0)


def _quality(rgb: Image, box: tuple[float, float, float, float]) -> Quality:
    height, width = rgb.shape[:2]
    x, y, w, h = box
    crop = rgb[int(y) : int(y + h) + 1, int(x) : int(x + w) + 1]
    if not crop.size:
        crop = np.zeros((1, 1, 3), np.uint8)
    # Both figures are about the face as a whole, not its pixels: measured on the face scaled
    # to a small fixed width (bilinear: a tenth of the cost of area averaging, and blur still
    # lowers the figure on every face tried), so sharpness does not depend on the face's size.
    scaled_h = max(round(crop.shape[0] * _QUALITY_WIDTH / max(crop.shape[1], 1)), 1)
    small = cv2.resize(crop, (_QUALITY_WIDTH, scaled_h), interpolation=cv2.INTER_LINEAR)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    _, spread = cv2.meanStdDev(cv2.Laplacian(gray, cv2.CV_16S))  # exact: |values| <= 1020
    return Quality(
        face_size=w / width,
        center_x=(x + w / 2) / width - 0.5,
        center_y=(y + h / 2) / height - 0.5,
        brightness=cv2.mean(gray)[0],
        sharpness=float(spread[0, 0]) ** 2,
    )
