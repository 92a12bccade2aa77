"""Clips for Chromium's fake camera: a video or a still photo converted to the ``.y4m`` (or
``.mjpeg``) file that ``--use-file-for-fake-video-capture`` plays, cached by the source's
content, the options, the converter and this module's code (the cache can outlive a run).

ffmpeg converts when it is installed, else OpenCV reads and writes the frames (y4m with a
hand-written header).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

# The converters' own version: a change to them makes new cache entries.
CODE_DIGEST = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:16]


@functools.cache
def _content_digest(path: Path, mtime: float, size: int) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def content_digest(path: Path) -> str:
    """sha1 of the file's bytes (computed once per path, modification time and size)."""
    stat = path.stat()
    return _content_digest(path.resolve(), stat.st_mtime, stat.st_size)


def cache_key(*parts: Any, **params: Any) -> str:
    """A short digest of ``parts`` and ``params`` (JSON-able) with the converters' code."""
    key = json.dumps({"parts": parts, "code": CODE_DIGEST, **params}, sort_keys=True, default=str)
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _cache_name(src: Path, fmt: str, **params: Any) -> str:
    return f"{src.stem}-{cache_key(content_digest(src), fmt, **params)}.{fmt}"


def part_path(out: Path) -> Path:
    """Where to write ``out`` before renaming it into place: a name of this process's own, so
    that two runs sharing a cache never write one file together."""
    return out.with_name(f"{out.stem}.part{os.getpid()}{out.suffix}")


def convert_clip(
    src: Path,
    cache: Path,
    *,
    start: int = 0,
    end: int | None = None,
    lead_in_s: float = 0.0,
    loop: int = 1,
    fps: float | None = None,
    width: int | None = None,
    fmt: str = "y4m",
) -> Path:
    """Frames ``start..end`` of ``src``, played ``loop`` times, after ``lead_in_s`` seconds of
    the first frame held still (a neutral lead-in), as y4m (YUV 4:2:0) or mjpeg."""
    if fmt not in {"y4m", "mjpeg"}:
        raise ValueError(f"fmt must be y4m or mjpeg, not {fmt!r}")
    ffmpeg = shutil.which("ffmpeg") is not None
    out = cache / _cache_name(
        src, fmt, start=start, end=end, lead_in_s=lead_in_s, loop=loop, fps=fps, width=width,
        converter="ffmpeg" if ffmpeg else "opencv",
    )  # fmt: skip
    if out.exists():
        return out
    tmp = part_path(out)
    if ffmpeg:
        _convert_with_ffmpeg(src, tmp, start, end, lead_in_s, loop, fps, width, fmt)
    else:
        frames, src_fps = _read_frames(src, start, end)
        out_fps = fps or src_fps
        frames = _resize_all(frames, width)
        lead = [frames[0]] * round(lead_in_s * out_fps)
        _write_frames(lead + frames * max(1, loop), tmp, out_fps, fmt)
    tmp.rename(out)
    return out


def _convert_with_ffmpeg(
    src: Path,
    out: Path,
    start: int,
    end: int | None,
    lead_in_s: float,
    loop: int,
    fps: float | None,
    width: int | None,
    fmt: str,
) -> None:
    filters = []
    if start or end is not None:
        trim = f"start_frame={start}" + (f":end_frame={end}" if end is not None else "")
        filters += [f"trim={trim}", "setpts=PTS-STARTPTS"]
    if loop > 1:
        filters.append(f"loop=loop={loop - 1}:size=32767:start=0")
    if fps:
        filters.append(f"fps={fps}")
    if lead_in_s > 0:
        filters.append(f"tpad=start_mode=clone:start_duration={lead_in_s}")
    # Even dimensions: 4:2:0 chroma needs them.
    scale = f"{width}:-2" if width else "trunc(iw/2)*2:trunc(ih/2)*2"
    filters.append(f"scale={scale}")
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-an"]
    cmd += ["-vf", ",".join(filters)]
    if fmt == "y4m":
        # Plain "C420" chroma tag: Chromium's y4m reader is strict about the header.
        cmd += ["-pix_fmt", "yuv420p", "-strict", "-1", "-f", "yuv4mpegpipe", str(out)]
    else:
        cmd += ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", "-f", "mjpeg", str(out)]
    subprocess.run(cmd, check=True, timeout=300)


def _read_frames(src: Path, start: int, end: int | None) -> tuple[list[Any], float]:
    import cv2

    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise RuntimeError(f"cannot open {src}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames: list[Any] = []
    index = 0
    while True:
        ok, frame = cap.read()
        if not ok or (end is not None and index >= end):
            break
        if index >= start:
            frames.append(frame)
        index += 1
    cap.release()
    if not frames:
        raise RuntimeError(f"no frames read from {src} ({start}..{end})")
    return frames, fps


def _resize_all(frames: list[Any], width: int | None) -> list[Any]:
    import cv2

    h, w = frames[0].shape[:2]
    new_w = width or w
    new_h = round(h * new_w / w)
    new_w, new_h = new_w - new_w % 2, new_h - new_h % 2
    if (new_w, new_h) == (w, h):
        return frames
    return [cv2.resize(f, (new_w, new_h), interpolation=cv2.INTER_AREA) for f in frames]


def _write_frames(frames: list[Any], out: Path, fps: float, fmt: str) -> None:
    """Writes BGR frames as y4m (hand-written header, I420 planes) or as concatenated JPEGs."""
    import cv2

    h, w = frames[0].shape[:2]
    with out.open("wb") as fh:
        if fmt == "y4m":
            num, den = _fps_fraction(fps)
            fh.write(f"YUV4MPEG2 W{w} H{h} F{num}:{den} Ip A1:1 C420\n".encode())
            for frame in frames:
                fh.write(b"FRAME\n")
                fh.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
        else:
            for frame in frames:
                ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
                if not ok:
                    raise RuntimeError("JPEG encoding failed")
                fh.write(buf.tobytes())


def _fps_fraction(fps: float) -> tuple[int, int]:
    if abs(fps - round(fps)) < 1e-3:
        return round(fps), 1
    return round(fps * 1000), 1000


def clip_from_photo(
    image: Path,
    cache: Path,
    *,
    seconds: float = 6.0,
    fps: int = 25,
    motion: str = "still",
    width: int = 480,
) -> Path:
    """A y4m clip of one photo: held ``still``, moved about (``shake``) or swung (``tilt``),
    the way an attacker holds a printed photo or a phone in front of the camera."""
    import cv2
    import numpy as np

    if motion not in {"still", "shake", "tilt"}:
        raise ValueError(f"motion must be still, shake or tilt, not {motion!r}")
    out = cache / _cache_name(image, "y4m", seconds=seconds, fps=fps, motion=motion, width=width)
    if out.exists():
        return out
    img = cv2.imread(str(image))
    if img is None:
        raise RuntimeError(f"cannot read {image}")
    h, w = img.shape[:2]
    height = round(h * width / w)
    img = cv2.resize(img, (width - width % 2, height - height % 2), interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    frames = []
    n = max(1, round(seconds * fps))
    for i in range(n):
        phase = 2 * np.pi * i / (fps * 2.0)
        if motion == "still":
            frames.append(img)
            continue
        if motion == "shake":
            matrix = np.float32([[1, 0, 12 * np.sin(phase)], [0, 1, 8 * np.sin(1.7 * phase)]])
            frames.append(cv2.warpAffine(img, matrix, (w, h), borderMode=cv2.BORDER_REFLECT))
        else:
            # A perspective swing about the vertical axis, like a photo turned in the hand.
            k = 0.18 * np.sin(phase)
            src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
            dst = np.float32(
                [
                    [0, h * max(k, 0)],
                    [w, h * max(-k, 0)],
                    [w, h - h * max(-k, 0)],
                    [0, h - h * max(k, 0)],
                ]
            )
            matrix = cv2.getPerspectiveTransform(src, dst)
            frames.append(cv2.warpPerspective(img, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE))
    tmp = part_path(out)
    _write_frames(frames, tmp, fps, "y4m")
    tmp.rename(out)
    return out
