"""Synthetic presentation attacks: a photo printed on a flat card, moved in front of a camera.

The card is a plane in 3D seen by a pinhole camera; each frame it is rotated (turned, tilted,
rolled), shifted and brought nearer or farther, then rendered with a perspective warp over a
plain background. The photo's face starts frontal, as a live user's would, so only the flatness
of the card can give it away.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class CardPose:
    yaw: float = 0.0  # degrees about the vertical axis
    pitch: float = 0.0  # degrees about the horizontal axis
    roll: float = 0.0  # degrees in the image plane
    shift_x: float = 0.0  # in frame widths
    shift_y: float = 0.0
    distance: float = 1.0  # relative to the starting distance


# Each motion is a list of key poses; frames interpolate between them.
MOTIONS: dict[str, list[CardPose]] = {
    "turn_left_right": [CardPose(), CardPose(), CardPose(yaw=-45), CardPose(), CardPose(yaw=45), CardPose()],
    "tilt_up_down": [CardPose(), CardPose(), CardPose(pitch=40), CardPose(), CardPose(pitch=-40), CardPose()],
    "roll_and_shift": [CardPose(), CardPose(roll=25, shift_x=0.08), CardPose(roll=-25, shift_y=0.05), CardPose()],
    "diagonal_wobble": [CardPose(), CardPose(yaw=-35, pitch=25), CardPose(yaw=35, pitch=-25, distance=0.85), CardPose()],
    "near_far_turn": [CardPose(), CardPose(distance=0.7), CardPose(yaw=-40, distance=0.8), CardPose(yaw=40, distance=1.2), CardPose()],
}  # fmt: skip


def render_attack(
    photo: Image,
    motion: list[CardPose],
    *,
    size: int = 480,
    fps: int = 15,
    seconds_per_leg: float = 1.0,
    hold_s: float = 1.5,
) -> Iterator[tuple[int, Image]]:
    """Yield (t_ms, RGB frame) for a card carrying `photo` moving through the key poses.

    The card is first held still and frontal for `hold_s` seconds, as an attacker would to get
    past positioning and give the engine its neutral pose.
    """
    background = _background(size)
    frames_per_leg = max(int(fps * seconds_per_leg), 1)
    t_ms = 0
    for _ in range(int(fps * hold_s)):
        yield t_ms, _render(photo, motion[0], background)
        t_ms += 1000 // fps
    for start, end in itertools.pairwise(motion):
        for step in range(frames_per_leg):
            pose = _lerp(start, end, step / frames_per_leg)
            yield t_ms, _render(photo, pose, background)
            t_ms += 1000 // fps
    yield t_ms, _render(photo, motion[-1], background)


def _render(photo: Image, pose: CardPose, background: Image) -> Image:
    size = background.shape[1]
    h, w = photo.shape[:2]
    # A phone-like camera (about 60 degrees across) and a card 0.6 of the frame wide at the
    # start, at 1.5 focal lengths: like a 15 cm photo held 35 cm from the lens.
    focal = float(size)
    depth0 = 1.5 * focal
    card_w = 0.6 * size * depth0 / focal
    card_h = card_w * h / w
    corners = np.array(
        [[-card_w / 2, -card_h / 2, 0], [card_w / 2, -card_h / 2, 0],
         [card_w / 2, card_h / 2, 0], [-card_w / 2, card_h / 2, 0]], dtype=np.float64
    )  # fmt: skip
    rotated = corners @ _rotation(pose).T
    z = rotated[:, 2] + depth0 * pose.distance
    x = focal * rotated[:, 0] / z + size * (0.5 + pose.shift_x)
    y = focal * rotated[:, 1] / z + size * (0.5 + pose.shift_y)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.stack([x, y], axis=1).astype(np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    frame = background.copy()
    card = cv2.warpPerspective(photo, warp, (size, size), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), warp, (size, size))
    frame[mask > 0] = card[mask > 0]
    return frame


def _rotation(pose: CardPose) -> npt.NDArray[np.float64]:
    a, b, c = (math.radians(v) for v in (pose.yaw, pose.pitch, pose.roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return rz @ rx @ ry


def _lerp(a: CardPose, b: CardPose, f: float) -> CardPose:
    return CardPose(
        *(va + (vb - va) * f for va, vb in zip(vars(a).values(), vars(b).values(), strict=True))
    )


def _background(size: int) -> Image:
    # A dim, slightly textured wall so the card's edges are visible, as in a real room.
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 6, (size // 8, size // 8, 1))
    wall = cv2.resize(noise, (size, size), interpolation=cv2.INTER_CUBIC)[..., None]
    return np.clip(wall + np.array([90, 95, 100]), 0, 255).astype(np.uint8)
