"""Presentation attacks for bench/accuracy.py: photo cards, replay evidence, synthetic screens.

- Photo cards: a face photo printed (tight face crop, or a looser head-and-shoulders crop) on
  a card that `tests/support/attacks.py` renders under perspective, held still and frontal
  first (to pass positioning and give a neutral pose), then moved; the motions and distances
  are passed through that module's public `render_attack` / `CardPose`.
- Replay evidence (`spoof/`): the still image and the image moved slightly, and GIF segments
  played back and forth, each looped for as long as a session lasts.
- Synthetic screen replay: a real clip's frame as if shown on a phone held up to the camera
  (dark bezel, 0.6 scale, slight perspective, display gamma and contrast, moiré, glare).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image as PILImage

from bench.dataset import PAGE_WIDTH, Image, page_frame, resize_width
from tests.support.attacks import CardPose, render_attack

CARD_FPS = 10  # a little above what the page sends (camera.js FPS_MAX 8): more chances to fake


# --- photo cards -----------------------------------------------------------------------------


HOLD_S = 1.0  # frontal and still before the motion: positioning 0.5 s + neutral 0.3 s


@dataclass(frozen=True)
class Motion:
    name: str
    species: str  # APCER table row
    poses: tuple[CardPose, ...]
    seconds_per_leg: float
    distances: tuple[str, ...]  # which card distances it is played at
    hold_s: float = HOLD_S  # frontal and still first


_P = CardPose
MOTIONS: dict[str, Motion] = {
    m.name: m
    for m in [
        Motion("yaw45", "yaw", (_P(), _P(yaw=-45), _P(), _P(yaw=45), _P()), 0.8, ("near", "far")),
        Motion(
            "pitch40 slow", "pitch", (_P(), _P(pitch=40), _P(), _P(pitch=-40), _P()), 1.0,
            ("near", "far"),
        ),
        Motion(
            "pitch40 fast", "pitch", (_P(), _P(pitch=40), _P(), _P(pitch=-40), _P()), 0.4,
            ("near", "far"),
        ),
        Motion("roll25", "roll", (_P(), _P(roll=25), _P(roll=-25), _P()), 0.8, ("near",)),
        Motion(
            "translate", "shift",
            (_P(), _P(shift_x=0.12), _P(shift_x=-0.12), _P(shift_y=0.08), _P(shift_y=-0.06), _P()),
            0.6, ("near",),
        ),
        Motion(
            "near-far", "shift", (_P(), _P(distance=0.7), _P(distance=1.3), _P()), 0.8, ("near",)
        ),
        # Tilted away as the challenge opens (positioning takes 0.5 s), held there long enough
        # for a neutral on the tilted card, then tilted part way back: its printed lids read
        # thin, then open again (a second reader's attack on HEAD_11, 2026-12-07).
        Motion(
            "pitch38 at open", "pitch",
            (_P(), _P(pitch=-38), _P(pitch=-38), _P(pitch=-15), _P(pitch=-15), _P(),
             _P(pitch=38), _P(pitch=38), _P(pitch=15), _P(pitch=15)),
            0.4, ("near", "far"), hold_s=0.5,
        ),
        # The same about the other two axes: turned away as the challenge opens, held, turned
        # part way back (a turned card's near eye reads more open than its far one).
        Motion(
            "yaw40 at open", "yaw",
            (_P(), _P(yaw=-40), _P(yaw=-40), _P(yaw=-15), _P(yaw=-15), _P(),
             _P(yaw=40), _P(yaw=40), _P(yaw=15), _P(yaw=15)),
            0.4, ("near", "far"), hold_s=0.5,
        ),
        Motion(
            "roll25 at open", "roll",
            (_P(), _P(roll=25), _P(roll=25), _P(roll=8), _P(roll=8), _P(),
             _P(roll=-25), _P(roll=-25), _P(roll=-8), _P(roll=-8)),
            0.4, ("near",), hold_s=0.5,
        ),
    ]
}  # fmt: skip

# Card distance, relative to render_attack's start (a card 0.6 of the frame wide). A print of
# the whole head and shoulders is held nearer, so that its face is as big as a live one.
DISTANCES: dict[tuple[str, str], float] = {
    ("tight", "near"): 1.0,  # face about 0.33 of the frame width
    ("tight", "far"): 1.4,  # about 0.24
    ("loose", "near"): 0.6,  # about 0.3
    ("loose", "far"): 0.85,  # about 0.21
}
CROPS = ("tight", "loose")
PRINT_WIDTH = 600  # the card is at most 480 px wide in the frame


def print_crop(rgb: Image, box: tuple[float, float, float, float], crop: str) -> Image:
    """The photo as an attacker prints it: `tight` fills the print with the face (as
    tests/workers/test_photo_attacks.py), `loose` keeps the head and the shoulders."""
    x, y, w, h = box
    cx, cy, size = x + w / 2, y + h / 2, max(w, h)
    if crop == "tight":
        left, right, top, bottom = (
            cx - 0.9 * size,
            cx + 0.9 * size,
            cy - 0.9 * size,
            cy + 0.9 * size,
        )
    else:
        left, right, top, bottom = (
            cx - 1.5 * size,
            cx + 1.5 * size,
            cy - 1.4 * size,
            cy + 2.2 * size,
        )
    height, width = rgb.shape[:2]
    top, left = max(int(top), 0), max(int(left), 0)
    bottom, right = min(int(bottom), height), min(int(right), width)
    printed = np.ascontiguousarray(rgb[top:bottom, left:right])
    # A print has finite resolution: no need for more than about twice the card's pixels.
    return resize_width(printed, PRINT_WIDTH) if printed.shape[1] > PRINT_WIDTH else printed


def card_frames(printed: Image, motion: Motion, distance: float) -> list[tuple[int, Image]]:
    """(t_ms, page frame) of one pass: hold, then the motion. Looped by the caller."""
    poses = [
        CardPose(p.yaw, p.pitch, p.roll, p.shift_x, p.shift_y, p.distance * distance)
        for p in motion.poses
    ]
    frames = render_attack(
        printed,
        poses,
        size=PAGE_WIDTH,
        fps=CARD_FPS,
        seconds_per_leg=motion.seconds_per_leg,
        hold_s=motion.hold_s,
    )
    return [(t, page_frame(frame)) for t, frame in frames]


# --- replay evidence (spoof/) ---------------------------------------------------------------

SPOOF_FPS = 10
MOVE_S = 4.0  # one period of the slight movement


def load_gif_frames(path: str, first: int, last: int) -> list[tuple[int, Image]]:
    """(duration_ms, RGB) of GIF frames first..last."""
    gif = PILImage.open(path)
    out = []
    for k in range(first, last + 1):
        gif.seek(k)
        out.append((int(gif.info.get("duration") or 33), np.asarray(gif.convert("RGB")).copy()))
    return out


def still_frames(rgb: Image) -> list[tuple[int, Image]]:
    """The picture held still: one frame, repeated by the loop."""
    return [(0, page_frame(rgb))]


def moved_frames(rgb: Image) -> list[tuple[int, Image]]:
    """The picture moved slightly, as a hand holding a phone or a print: a few pixels of
    drift, +-3 degrees of rotation and +-3% of scale over a 4-second period."""
    frame = resize_width(rgb, PAGE_WIDTH)
    h, w = frame.shape[:2]
    out = []
    count = int(MOVE_S * SPOOF_FPS)
    for k in range(count):
        phase = 2 * math.pi * k / count
        angle = 3.0 * math.sin(phase)
        scale = 1.0 + 0.03 * math.sin(2 * phase)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        matrix[0, 2] += 0.02 * w * math.cos(phase)
        matrix[1, 2] += 0.015 * h * math.sin(3 * phase)
        moved = cv2.warpAffine(frame, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
        out.append((k * 1000 // SPOOF_FPS, page_frame(moved)))
    return out


def gif_frames(path: str, first: int, last: int) -> list[tuple[int, Image]]:
    """The GIF segment played forward then backward, with its own frame durations."""
    frames = load_gif_frames(path, first, last)
    order = frames + frames[-2:0:-1]
    out, t = [], 0
    for duration, rgb in order:
        out.append((t, page_frame(rgb)))
        t += duration
    return out


# --- synthetic screen replay ------------------------------------------------------------------

SCREEN_SCALE = 0.6


def screen_frame(rgb: Image, seed: int) -> Image:
    """A clip frame as if replayed on a phone held up to the camera; page-encoded.

    The displayed picture is scaled to 0.6 of the frame inside a dark bezel, given a display's
    gamma and contrast and a slight blue cast, overlaid with a moiré pattern (the camera's
    pixel grid beating against the screen's), seen under a slight perspective in a dim room,
    with a glare spot. `seed` fixes the glare and tilt per clip.
    """
    frame = resize_width(rgb, PAGE_WIDTH)
    h, w = frame.shape[:2]
    scene = _screen_scene(w, h, seed)
    sw, sh = scene.screen_size
    shown = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA)
    # Display response (gamma, reduced contrast, raised black, cool white) through a table.
    shown = cv2.LUT(shown, scene.lut).astype(np.float32) + scene.moire
    device = np.full((scene.device_size[1], scene.device_size[0], 3), 18.0, np.float32)
    m = scene.margin
    device[m : m + sh, m : m + sw] = shown
    warped = cv2.warpPerspective(device, scene.warp, (w, h), flags=cv2.INTER_LINEAR)
    out = scene.room_part + warped * scene.mask + scene.glare
    return page_frame(np.clip(out, 0, 255).astype(np.uint8))


@dataclass(frozen=True)
class _Scene:
    screen_size: tuple[int, int]
    device_size: tuple[int, int]
    margin: int
    lut: np.ndarray
    moire: np.ndarray
    warp: np.ndarray
    mask: np.ndarray
    room_part: np.ndarray
    glare: np.ndarray


@functools.cache
def _screen_scene(w: int, h: int, seed: int) -> _Scene:
    rng = np.random.default_rng(seed)
    levels = np.arange(256, dtype=np.float32)[:, None] / 255.0
    response = (0.06 + 0.86 * np.power(levels, 1.15)) * np.array([0.95, 1.0, 1.06])
    lut = np.clip(response * 255.0, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    sw, sh = int(w * SCREEN_SCALE), int(h * SCREEN_SCALE)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    theta = math.radians(11.0)
    moire = 9.0 * np.sin(2 * math.pi * (xx * math.cos(theta) + yy * math.sin(theta)) / 3.1)
    moire += 5.0 * np.sin(2 * math.pi * (xx * math.cos(-1.2) + yy * math.sin(-1.2)) / 4.7)
    margin = int(0.05 * sw)
    dw, dh = sw + 2 * margin, sh + 2 * margin
    tilt = rng.uniform(-0.04, 0.04, size=(4, 2)) * np.array([dw, dh])
    cx, cy = w / 2 + rng.uniform(-0.03, 0.03) * w, h / 2 + rng.uniform(-0.03, 0.03) * h
    corners = np.array(
        [[cx - dw / 2, cy - dh / 2], [cx + dw / 2, cy - dh / 2],
         [cx + dw / 2, cy + dh / 2], [cx - dw / 2, cy + dh / 2]], np.float32
    ) + tilt.astype(np.float32)  # fmt: skip
    src = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
    warp = cv2.getPerspectiveTransform(src, corners)
    mask = cv2.warpPerspective(np.ones((dh, dw), np.float32), warp, (w, h))[..., None]
    gx, gy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.25, 0.5) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    glare = 90.0 * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * (0.12 * w) ** 2))
    return _Scene(
        screen_size=(sw, sh),
        device_size=(dw, dh),
        margin=margin,
        lut=lut,
        moire=moire[..., None],
        warp=warp,
        mask=mask,
        room_part=_room(w, h) * (1 - mask),
        glare=glare[..., None] * mask,
    )


def _room(w: int, h: int) -> np.ndarray:
    # A dim, slightly textured wall (as tests/support/attacks.py's background).
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 6, (max(h // 8, 1), max(w // 8, 1), 1))
    wall = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)[..., None]
    return np.clip(wall + np.array([70, 72, 76]), 0, 255).astype(np.float32)
