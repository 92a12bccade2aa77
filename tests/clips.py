"""Real clips from ../shared/data as the page would send them: ~480 px wide JPEG frames."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import cv2


def jpeg_frames(
    video: Path, *, width: int = 480, fps: float | None = None
) -> Iterator[tuple[int, bytes]]:
    """(t_ms, JPEG bytes) for each frame of `video`, at most `fps` frames per second of video."""
    capture = cv2.VideoCapture(str(video))
    if not capture.isOpened():
        raise FileNotFoundError(video)
    native = capture.get(cv2.CAP_PROP_FPS) or 25.0
    step_ms = 1000.0 / fps if fps else 0.0
    next_ms = 0.0
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            t_ms = int(index * 1000.0 / native)
            index += 1
            if t_ms + 0.5 < next_ms:
                continue
            next_ms = t_ms + step_ms
            height = int(frame.shape[0] * width / frame.shape[1])
            small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
            ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 75])
            if ok:
                yield t_ms, encoded.tobytes()
    finally:
        capture.release()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
