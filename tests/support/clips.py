"""Real clips from ../shared/data as the page would send them: ~480 px wide JPEG frames."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import cv2

from workers.video import read_video


def jpeg_frames(
    video: Path, *, width: int = 480, fps: float | None = None
) -> Iterator[tuple[int, bytes]]:
    """(t_ms, JPEG bytes) for each frame of `video`, at most `fps` frames per second of video."""
    for frame in read_video(video, max_fps=fps):
        height = int(frame.rgb.shape[0] * width / frame.rgb.shape[1])
        small = cv2.resize(frame.rgb, (width, height), interpolation=cv2.INTER_AREA)
        bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 75])
        if ok:
            yield frame.t_ms, encoded.tobytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
