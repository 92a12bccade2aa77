"""Frames of a video file with the clip's own timestamps, optionally thinned to N per second."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2

from workers.decode import Image, as_image


class VideoError(ValueError):
    pass


@dataclass(frozen=True)
class VideoFrame:
    index: int  # position in the clip, counting every decoded frame
    t_ms: int
    rgb: Image


def read_video(path: Path, max_fps: float | None = None) -> Iterator[VideoFrame]:
    """Yield frames in order; with max_fps, at most that many per second of video time."""
    if not path.is_file():
        raise VideoError(f"{path}: no such file")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise VideoError(f"{path}: not a readable video")
    # Phone and webcam recordings are often stored sideways with a rotation flag: honour it.
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
    step_ms = 1000.0 / max_fps if max_fps else 0.0
    next_due = 0.0
    index = 0
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            t_ms = _timestamp(capture, index, fps)
            if t_ms + 0.5 >= next_due:
                next_due = max(next_due + step_ms, t_ms + step_ms * 0.5) if step_ms else 0.0
                yield VideoFrame(
                    index=index, t_ms=t_ms, rgb=as_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                )
            index += 1
    finally:
        capture.release()
    if index == 0:
        raise VideoError(f"{path}: no frames could be decoded")


def _timestamp(capture: cv2.VideoCapture, index: int, fps: float) -> int:
    # The container's presentation time when it has one, else the nominal frame rate.
    position = float(capture.get(cv2.CAP_PROP_POS_MSEC))
    if position > 0 or index == 0:
        return round(position)
    return round(index * 1000.0 / fps) if fps > 0 else index * 33
