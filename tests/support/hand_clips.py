"""Clips made from a run of the shared hand photos (`hands/subhi_handsdataset`).

A run (one file-name prefix, numbers in recording order) is one person changing hand shape in
front of a webcam. The photos were framed with the face off to one side to leave room for the
hand: each is shifted (cropped a little on the hand's side, padded on the other) so the face
sits within the page's centring guide, as a user following the guide would. Each photo is
held `photo_s`; the first is held longer before, as a user settling before Start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

CROP_LEFT, PAD_RIGHT = 60, 100  # pixels of the 800-wide photos (run 5: the face is on the right)


def photo_order(name: str) -> int:
    return int(re.findall(r"\d+", name.split("_", 1)[1])[0])


def run_frames(
    shared_data: Path, run: str, first: int, last: int, *, fps: int, photo_s: float,
    lead_in_s: float, loops: int, width: int = 640,
) -> list[Any]:  # fmt: skip
    """BGR frames: the run's photos `first`..`last` (by recording order), each held
    `photo_s`, after `lead_in_s` of the first one, the whole looped `loops` times."""
    return run_segments(shared_data, run, [(first, last)], fps=fps, photo_s=photo_s,
                        lead_in_s=lead_in_s, loops=loops, width=width)  # fmt: skip


def run_segments(
    shared_data: Path, run: str, segments: list[tuple[int, int]], *, fps: int,
    photo_s: float, lead_in_s: float, loops: int, width: int = 640, mirror: bool = False,
) -> list[Any]:  # fmt: skip
    """As `run_frames`, for stretches of one run played one after the other (`(first, last)`
    each, by recording order; a stretch may come before one recorded earlier). `mirror` flips
    every frame left to right, as a camera that delivers a mirrored image would."""
    import cv2

    folder = shared_data / "hands" / "subhi_handsdataset" / "images"
    names = sorted((p.name for p in folder.glob(f"{run}_*.jpg")), key=photo_order)
    photos = []
    for first, last in segments:
        for name in names[first : last + 1]:
            bgr = cv2.imread(str(folder / name))
            shifted = cv2.copyMakeBorder(
                bgr[:, CROP_LEFT:], 0, 0, 0, PAD_RIGHT, cv2.BORDER_CONSTANT
            )
            height = round(width * shifted.shape[0] / shifted.shape[1]) // 2 * 2
            frame = cv2.resize(shifted, (width, height), interpolation=cv2.INTER_AREA)
            photos.append(cv2.flip(frame, 1) if mirror else frame)
    hold = max(round(photo_s * fps), 1)
    one_pass = [frame for frame in photos for _ in range(hold)]
    return [photos[0]] * round(lead_in_s * fps) + one_pass * loops
