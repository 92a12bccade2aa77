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


# The hand's landmark chains (MediaPipe's 21 points): the palm, then each finger from its base.
_PALM = [0, 1, 5, 9, 13, 17]
_FINGERS = [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20]]


FINGER = 0.26


def hand_cutout(bgr: Any) -> tuple[Any, Any, Any, Any]:
    """The one hand in a photo, cut out along its landmarks (the palm's polygon and each
    finger's bones, as thick as a finger, feathered): its pixels, its 0..1 mask, its face box
    (x, y, w, h) and its hand's offset from the face centre, all in the photo's pixels."""
    import cv2
    import numpy as np

    from workers.analysis import analyze_rgb

    obs = analyze_rgb(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), hands=True)
    if obs.box is None or len(obs.hands or []) != 1:
        raise ValueError(
            f"want one face and one hand, found {obs.faces} and {len(obs.hands or [])}"
        )
    points = np.asarray(obs.hands[0].points)[:, :2]
    width = float(np.linalg.norm(points[5] - points[17]))  # across the knuckles
    mask = np.zeros(bgr.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, points[_PALM].round().astype(np.int32), 255)
    for chain in _FINGERS:
        cv2.polylines(mask, [points[chain].round().astype(np.int32)], False, 255,
                      max(round(width * FINGER), 3))  # fmt: skip
    mask = cv2.GaussianBlur(mask, (0, 0), width * 0.03)
    return bgr, mask.astype(np.float32) / 255, obs.box, points


def paste_hand(
    frame: Any, face_box: tuple[float, ...], cutout: tuple[Any, Any, Any, Any],
    at: tuple[float, float] = (-1.1, 0.4), size: float = 1.0,
) -> Any:  # fmt: skip
    """`frame` with the cut-out hand beside its face: scaled by the two faces' widths (the
    hand keeps its size relative to its owner's face), its centre `at` (x in face widths, y
    in face heights) from the face's centre."""
    import cv2
    import numpy as np

    photo, mask, photo_face, points = cutout
    fx, fy, fw, fh = face_box
    scale = fw / photo_face[2] * size
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    target = (fx + fw / 2 + at[0] * fw, fy + fh / 2 + at[1] * fh)
    shift = np.array([[scale, 0, target[0] - scale * centre[0]],
                      [0, scale, target[1] - scale * centre[1]]])  # fmt: skip
    canvas = (frame.shape[1], frame.shape[0])
    hand = cv2.warpAffine(photo, shift, canvas, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(mask, shift, canvas, flags=cv2.INTER_LINEAR)[:, :, None]
    hand = _skin_toned(hand, alpha[:, :, 0] > 0.5, frame, face_box)
    return (frame * (1 - alpha) + hand * alpha).round().astype(np.uint8)


def _skin_toned(hand: Any, inside: Any, frame: Any, face_box: tuple[float, ...]) -> Any:
    """The hand's colours moved to the face's skin tone (mean and spread per Lab channel, over
    the middle of the face box): a hand from another photo, lit by another light, as the
    person's own hand would look under theirs."""
    import cv2
    import numpy as np

    fx, fy, fw, fh = (round(v) for v in face_box)
    skin = frame[fy + fh * 2 // 5 : fy + fh * 4 // 5, fx + fw // 4 : fx + fw * 3 // 4]
    target = cv2.cvtColor(skin, cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32)
    lab = cv2.cvtColor(hand, cv2.COLOR_BGR2LAB).astype(np.float32)
    source = lab[inside]
    if not len(source):
        return hand
    mean, spread = source.mean(axis=0), source.std(axis=0) + 1e-3
    lab = (lab - mean) / spread * target.std(axis=0) + target.mean(axis=0)
    return cv2.cvtColor(lab.clip(0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)


def widened(bgr: Any, side: int, strip: int = 64) -> Any:
    """A face-centred square frame made a webcam's wide one: `strip` columns at each edge
    (background and shoulder) stretched to `side`, leaving room for a hand beside the face."""
    import cv2
    import numpy as np

    height = bgr.shape[0]
    left = cv2.resize(bgr[:, :strip], (side, height), interpolation=cv2.INTER_LINEAR)
    right = cv2.resize(bgr[:, -strip:], (side, height), interpolation=cv2.INTER_LINEAR)
    return np.hstack([left, bgr, right])


def hand_then_head_frames(
    shared_data: Path, video: str, turn: tuple[int, int], shapes: list[tuple[int, float]],
    *, run: str, fps: int, lead_in_s: float, loops: int, rest_s: float = 1.0,
    width: int = 640, size: float = 0.8, at: tuple[float, float] = (1.1, 0.4),
) -> list[Any]:  # fmt: skip
    """A real person's clip with a hand shown beside their face, then the head movement.

    The person is `video` (a face-centred clip, widened to a webcam's frame). Before its
    stretch `turn` (source frames, first..last), its first frames play back and forth (the
    person at rest, talking) while a hand from run `run` of the shared hand photos is
    pasted beside the face: each `(photo, seconds)` of `shapes` in turn (photo by recording
    order, mirrored: the photos' right hand, beside the face's other side); then the hand is
    lowered for `rest_s`, and `turn` plays at the clip's own speed. The whole is looped `loops`
    times after `lead_in_s` of the first frame without a hand. Each output frame's face box is
    measured by the face mesh, so the hand follows the head."""
    import cv2

    from workers.analysis import analyze_rgb

    folder = shared_data / "hands" / "subhi_handsdataset" / "images"
    names = sorted((p.name for p in folder.glob(f"{run}_*.jpg")), key=photo_order)
    capture = cv2.VideoCapture(str(shared_data / "videos" / video))
    src_fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    source = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        source.append(bgr)
    capture.release()
    side = source[0].shape[1] * 3 // 8

    def at_rest(t: float) -> int:  # back and forth over the frames before the turn
        span = max(turn[0] - 1, 1)
        k = round(t * src_fps) % (2 * span)
        return k if k < span else 2 * span - k

    plan: list[tuple[int, int | None]] = []  # (source frame, hand photo or None)
    clock = 0.0
    for photo, seconds in shapes:
        for _ in range(round(seconds * fps)):
            plan.append((at_rest(clock), photo))
            clock += 1 / fps
    for _ in range(round(rest_s * fps)):
        plan.append((at_rest(clock), None))
        clock += 1 / fps
    for k in range(round((turn[1] - turn[0]) / src_fps * fps) + 1):
        plan.append((min(turn[0] + round(k * src_fps / fps), turn[1]), None))
    cutouts = {
        photo: hand_cutout(cv2.flip(cv2.imread(str(folder / names[photo])), 1))
        for photo, _ in shapes
    }
    rendered: dict[tuple[int, int | None], Any] = {}
    for key in set(plan):
        index, shown = key
        frame = widened(source[index], side)
        if shown is not None:
            box = analyze_rgb(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)).box
            if box is not None:
                frame = paste_hand(frame, box, cutouts[shown], at=at, size=size)
        height = round(width * frame.shape[0] / frame.shape[1]) // 2 * 2
        rendered[key] = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    lead = [cv2.resize(widened(source[0], side), rendered[plan[0]].shape[1::-1])]
    return lead * round(lead_in_s * fps) + [rendered[key] for key in plan] * loops
