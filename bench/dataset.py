"""Frames for bench/accuracy.py: clips read upright, the page's encoding, the capture variants,
and the bona fide attempts cut from the labelled clips.

Every pixel operation is deterministic (fixed seeds per frame), so a frame can be rebuilt
exactly when its anti-spoofing score is needed later.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from bench.labels import LABELS, MIN_PRE_ROLL_S, POST_ROLL_S, PRE_ROLL_S, Label
from gestures import codes
from workers.decode import Limits, decode_rgb

Image = npt.NDArray[np.uint8]

PAGE_WIDTH = 480  # static/liveness/camera.js: FRAME_WIDTH
PAGE_QUALITY = 70  # camera.js: JPEG_QUALITY 0.7
DECODE_LIMITS = Limits(max_bytes=8 << 20, max_pixels=1920 * 1920)

MIRRORED = {
    codes.HEAD_LEFT: codes.HEAD_RIGHT,
    codes.HEAD_RIGHT: codes.HEAD_LEFT,
    codes.HEAD_01: codes.HEAD_10,
    codes.HEAD_10: codes.HEAD_01,
}


# --- clips -------------------------------------------------------------------------------------


def clip_path(data: Path, clip: str) -> Path:
    for folder in ("videos", "videos/more"):
        path = data / folder / f"{clip}.mp4"
        if path.is_file():
            return path
    raise FileNotFoundError(f"{clip}.mp4 not found under {data}/videos")


def read_clip(path: Path, wanted: set[int] | None = None) -> Iterator[tuple[int, int, Image]]:
    """(index, t_ms, RGB) of every frame (or of the `wanted` indices), upright.

    Same indices and timestamps as `workers.video.read_video`, but the container's rotation
    flag is honoured (the proctoring clips are stored sideways).
    """
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
    last = max(wanted) if wanted else None
    index = 0
    try:
        while last is None or index <= last:
            if wanted is not None and index not in wanted:
                if not capture.grab():
                    break
                index += 1
                continue
            ok, bgr = capture.read()
            if not ok:
                break
            yield index, _timestamp(capture, index, fps), cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            index += 1
    finally:
        capture.release()


@cache
def clip_timestamps(path: Path) -> tuple[int, ...]:
    """t_ms of every frame (decoding without colour conversion)."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
    out: list[int] = []
    while capture.grab():
        out.append(_timestamp(capture, len(out), fps))
    capture.release()
    return tuple(out)


def _timestamp(capture: cv2.VideoCapture, index: int, fps: float) -> int:
    # As workers.video: the container's presentation time, else the nominal frame rate.
    position = float(capture.get(cv2.CAP_PROP_POS_MSEC))
    if position > 0 or index == 0:
        return round(position)
    return round(index * 1000.0 / fps) if fps > 0 else index * 33


def read_video_honours_rotation(path: Path) -> bool:
    """Does `workers.video.read_video` give the same upright frame as `read_clip`?"""
    from workers.video import read_video

    theirs = next(iter(read_video(path))).rgb.shape
    ours = next(read_clip(path))[2].shape
    return bool(theirs == ours)


# --- the page's encoding and the capture variants ------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # table grouping: page, fps, scale, jpeg, light, mirror, noise
    width: int = PAGE_WIDTH
    quality: int = PAGE_QUALITY
    gain: float = 1.0
    mirror: bool = False
    noise: float = 0.0
    fps: float | None = None  # None: every frame of the clip
    eye_fps: float | None = None  # eye challenges at this rate instead (the page's frame_rate)
    pixels: str = ""  # name of the pixel variant whose observations this one reuses
    # The clip shrunk inside a frame of its own size until the face box is this fraction of
    # the frame's width (`far_frame`); None: the clip's own framing.
    face: float | None = None

    @property
    def pixel_key(self) -> str:
        return self.pixels or self.name

    def fps_for(self, gesture: str) -> float | None:
        return self.eye_fps if self.eye_fps and gesture in codes.EYE_GESTURES else self.fps

    def gesture(self, gesture: str) -> str:
        return MIRRORED.get(gesture, gesture) if self.mirror else gesture


# The far variant's face width over the frame's: the printed cards' far distance (about 0.21,
# bench/presentations.py), a little above the smallest face the page accepts
# (`face_size_min` 0.18). The clips are close-ups (0.3-0.6): at a webcam's usual distance a face
# is 0.2-0.3 of the frame, and the page's 480 px leave it about 100 px wide.
FAR_FACE = 0.21

PAGE = Variant("page", "page")
VARIANTS: list[Variant] = [
    PAGE,
    Variant("pace", "fps", fps=8, eye_fps=15, pixels="page"),
    Variant("fps15", "fps", fps=15, pixels="page"),
    Variant("fps10", "fps", fps=10, pixels="page"),
    Variant("fps8", "fps", fps=8, pixels="page"),
    Variant("fps5", "fps", fps=5, pixels="page"),
    Variant("w320", "scale", width=320),
    Variant("w1080", "scale", width=1080),
    Variant("q50", "jpeg", quality=50),
    Variant("q90", "jpeg", quality=90),
    Variant("dark0.6", "light", gain=0.6),
    Variant("bright1.4", "light", gain=1.4),
    Variant("mirror", "mirror", mirror=True),
    Variant("noise6", "noise", noise=6.0),
    Variant("far", "distance", face=FAR_FACE),
    Variant("far_pace", "distance", fps=8, eye_fps=15, pixels="far", face=FAR_FACE),
]
QUICK_VARIANTS = ["page", "fps10", "fps5", "mirror", "dark0.6"]
VARIANT_NOTES = {
    "page": "480 px wide, JPEG q70 (what the page sends), every frame of the clip",
    "pace": "page frames at the page's own pace when answers are fast: 8 per second, 15 in eye "
    "challenges (their `frame_rate`)",
    "fps15": "page frames thinned to 15 per second (by timestamp)",
    "fps10": "page frames thinned to 10 per second",
    "fps8": "page frames thinned to 8 per second in every challenge (camera.js FPS_MAX)",
    "fps5": "page frames thinned to 5 per second (camera.js FPS_START)",
    "w320": "320 px wide, q70",
    "w1080": "1080 px wide (upscaled from the clip), q70",
    "q50": "480 px, JPEG q50",
    "q90": "480 px, JPEG q90",
    "dark0.6": "480 px q70, brightness x0.6",
    "bright1.4": "480 px q70, brightness x1.4 (clipped)",
    "mirror": "480 px q70, mirrored (HEAD_LEFT/RIGHT and HEAD_01/10 swapped)",
    "noise6": "480 px q70, gaussian noise sigma 6 (seeded per frame)",
    "far": f"480 px q70, the clip shrunk until the face is {FAR_FACE} of the frame's width, "
    "centred a little low, the rest its own edges stretched and blurred",
    "far_pace": "the far frames at the page's own pace (as `pace`)",
}


def resize_width(rgb: Image, width: int) -> Image:
    h, w = rgb.shape[:2]
    if w == width:
        return rgb
    height = max(round(h * width / w), 1)
    interpolation = cv2.INTER_AREA if width < w else cv2.INTER_LINEAR
    return cv2.resize(rgb, (width, height), interpolation=interpolation)


def encode_jpeg(rgb: Image, quality: int) -> bytes:
    ok, buffer = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buffer.tobytes()


def page_frame(rgb: Image, width: int = PAGE_WIDTH, quality: int = PAGE_QUALITY) -> Image:
    """What the server decodes from the page's upload: scaled, JPEG-encoded, decoded."""
    return decode_rgb(encode_jpeg(resize_width(rgb, width), quality), DECODE_LIMITS)


def seed_for(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


@dataclass(frozen=True)
class Framing:
    """Where `far_frame` puts a clip: its picture (the frame's rows and columns `picture`,
    without its black bars) shrunk by `shrink`, its face centre (`x`, `y`, fractions of the
    picture) moved to `FAR_CENTRE` of the frame, or as near as the frame's edges allow."""

    shrink: float = 1.0
    x: float = 0.5
    y: float = 0.5
    picture: tuple[int, int, int, int] | None = None  # top, bottom, left, right; None: all


FAR_CENTRE = (0.5, 0.55)  # a webcam's face: centred, a little low (the page accepts 0.25 off)
_BLACK = 24  # brightest value of a letterbox bar


def far_frame(rgb: Image, framing: Framing) -> Image:
    """The frame (without its black bars) shrunk inside a frame of its own size, its face at
    `FAR_CENTRE`, the rest filled by its edges stretched out and blurred, with no sharp
    border (a picture's edge is what the anti-spoofing models look for)."""
    if framing.shrink >= 1.0:
        return rgb
    h, w = rgb.shape[:2]
    top, bottom, left, right = framing.picture or (0, h, 0, w)
    picture = rgb[top:bottom, left:right]
    ph, pw = picture.shape[:2]
    sw, sh = min(round(pw * framing.shrink), w), min(round(ph * framing.shrink), h)
    small = cv2.resize(picture, (sw, sh), interpolation=cv2.INTER_AREA)
    top = min(max(round(FAR_CENTRE[1] * h - framing.y * sh), 0), h - sh)
    left = min(max(round(FAR_CENTRE[0] * w - framing.x * sw), 0), w - sw)
    canvas = cv2.copyMakeBorder(small, top, h - sh - top, left, w - sw - left, cv2.BORDER_REPLICATE)
    size = int(w * 0.15) | 1
    blurred = cv2.GaussianBlur(canvas, (size, size), 0).astype(np.float32)
    mask = np.zeros((h, w), np.float32)
    mask[top : top + sh, left : left + sw] = 1.0
    mask = cv2.GaussianBlur(mask, (0, 0), 3)[..., None]
    return np.clip(canvas * mask + blurred * (1.0 - mask), 0, 255).astype(np.uint8)


def without_black_bars(rgb: Image) -> tuple[int, int, int, int]:
    """The frame's rows and columns (top, bottom, left, right) without the black ones along
    its edges (letterboxing), which stretched out by `far_frame` would frame the picture like
    a screen's bezel."""
    h, w = rgb.shape[:2]
    rows, cols = rgb.max(axis=(1, 2)) > _BLACK, rgb.max(axis=(0, 2)) > _BLACK
    if not rows.any() or not cols.any():
        return 0, h, 0, w
    top, bottom = int(rows.argmax()), h - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), w - int(cols[::-1].argmax())
    return top, bottom, left, right


@cache
def clip_framing(path: Path, face: float | None) -> Framing:
    """How `far_frame` places this clip so that its face box is `face` of the frame's width
    (unchanged when it is already that small, or with no `face`): from the first frame of the
    clip where the face mesh finds a face, as the page would send it; the black bars found
    on that frame are cut from every frame."""
    if face is None:
        return Framing()
    from workers.analysis import analyze_rgb

    for _, _, rgb in read_clip(path, set(range(30))):
        bars = without_black_bars(rgb)
        picture = rgb[bars[0] : bars[1], bars[2] : bars[3]]
        obs = analyze_rgb(page_frame(picture))
        if obs.box is not None:
            x, y, w, h = obs.box
            # The face's width in the clip's own pixels, against the whole frame's width.
            face_pixels = w * picture.shape[1] / obs.width
            return Framing(
                min(1.0, face * rgb.shape[1] / face_pixels),
                (x + w / 2) / obs.width,
                (y + h / 2) / obs.height,
                bars,
            )
    raise ValueError(f"{path.name}: no face in its first 30 frames")


def variant_frame(rgb: Image, variant: Variant, seed: int, framing: Framing | None = None) -> Image:
    """The clip frame as the server would receive it under `variant` (`framing`: the clip's
    `clip_framing`, required by a variant with a `face` width)."""
    if variant.face is not None and framing is None:
        raise ValueError(f"variant {variant.name} places the face: pass the clip's framing")
    frame = resize_width(far_frame(rgb, framing) if framing else rgb, variant.width)
    if variant.mirror:
        frame = np.ascontiguousarray(frame[:, ::-1])
    if variant.gain != 1.0:
        frame = np.clip(frame.astype(np.float32) * variant.gain, 0, 255).astype(np.uint8)
    if variant.noise:
        rng = np.random.default_rng(seed)
        noisy = frame.astype(np.float32) + rng.normal(0.0, variant.noise, frame.shape)
        frame = np.clip(noisy, 0, 255).astype(np.uint8)
    return decode_rgb(encode_jpeg(frame, variant.quality), DECODE_LIMITS)


def thin(frames: list[tuple[int, int]], fps: float | None) -> list[tuple[int, int]]:
    """Keep at most `fps` frames per second, by timestamp (as `workers.video.read_video`)."""
    if not fps:
        return frames
    step = 1000.0 / fps
    next_due = 0.0
    kept = []
    for key, t_ms in frames:
        if t_ms + 0.5 >= next_due:
            next_due = max(next_due + step, t_ms + step * 0.5)
            kept.append((key, t_ms))
    return kept


# --- bona fide attempts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    label: Label
    start: int  # first frame of the cut
    end: int  # last frame of the cut
    t0: int  # t_ms of the start frame
    frames: list[tuple[int, int]] = field(compare=False)  # (index, t_ms re-based to 0)

    @property
    def name(self) -> str:
        return f"{self.label.clip}#{self.label.first}-{self.label.last}"

    @property
    def pre_roll_ms(self) -> int:
        return dict(self.frames)[self.label.first]


def attempts(data: Path) -> list[Attempt]:
    out = []
    for label in LABELS:
        stamps = clip_timestamps(clip_path(data, label.clip))
        fps = (len(stamps) - 1) * 1000.0 / max(stamps[-1] - stamps[0], 1)
        start = label.start if label.start is not None else label.first - round(PRE_ROLL_S * fps)
        start = max(start, 0)
        end = min(label.last + round(POST_ROLL_S * fps), len(stamps) - 1)
        frames = [(i, stamps[i] - stamps[start]) for i in range(start, end + 1)]
        attempt = Attempt(label, start, end, stamps[start], frames)
        if attempt.pre_roll_ms < MIN_PRE_ROLL_S * 1000 - 1:
            raise ValueError(f"{attempt.name}: pre-roll {attempt.pre_roll_ms} ms is too short")
        out.append(attempt)
    return out
