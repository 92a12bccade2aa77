"""A hand's 21 landmarks in, which of its five fingers are raised out (thumb to little finger).

Pure geometry on MediaPipe's hand topology, in the hand's own frame: nothing compares image
axes, so the same reading holds for the left or the right hand, palm or back to the camera,
and a hand rotated in the image plane.

- A long finger (index to little) is raised when it is straight and points away from the
  palm: its tip lies farther from the wrist than its middle joint (PIP) by a good part of the
  finger's own length, and the finger bends little at the PIP joint.
- The thumb is raised when it stands away from the palm: its tip lies far from the far side
  of the palm (the little finger's base, MCP), in palm widths (index MCP to little MCP). A
  thumb folded over the fingers or along the palm stays within about a palm width of it
  (0.4-1.2 on the shared photos), one that stands out reaches 1.6-2.1 (docs/ACCURACY.md).
  A thumb whose tip touches the tip of the index or middle finger is pinching (the ring of an
  "OK" sign), not raised: raised thumbs stand at least a palm width from those tips (1.08 on
  the shared photos), a touching tip is within about a finger's width.

The points are in pixels (z in the same unit as x, as `workers.hands` returns them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Points = list[list[float]]

WRIST = 0
THUMB = (1, 2, 3, 4)  # CMC, MCP, IP, tip
FINGERS = ((5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))  # MCP, PIP, DIP, tip
NAMES = ("thumb", "index", "middle", "ring", "little")

# Long fingers: tip-to-wrist over PIP-to-wrist, and the bend at the PIP joint.
FINGER_REACH_MIN = 1.12
FINGER_BEND_MAX = 60.0  # degrees between the proximal and the distal part
# Thumb: tip to the little finger's MCP, in palm widths (index MCP to little MCP).
THUMB_REACH_MIN = 1.4
THUMB_PINCH_MAX = 0.45  # tip to the index or middle tip, in palm widths: touching


@dataclass(frozen=True)
class Hand:
    """One hand found in a frame: 21 rows [x, y, z] in pixels, the person's own side
    (`left`/`right`, "" when unknown) and the model's confidence in that side."""

    points: Points = field(repr=False)
    side: str = ""
    score: float = 0.0

    @property
    def fingers(self) -> str:
        """The five-bit finger state, thumb first: "01100" is index and middle raised."""
        return finger_state(self.points)

    def box(self) -> tuple[float, float, float, float]:
        """x, y, w, h of the landmarks in pixels."""
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _array(points: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
    array = np.asarray(points, dtype=np.float64)
    if array.shape != (21, 3):
        raise ValueError(f"a hand has 21 landmarks [x, y, z], got {array.shape}")
    return array


def _angle(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    """Degrees between two vectors (0 when either is degenerate)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0 or nb == 0:
        return 0.0
    cos = float(np.dot(a, b)) / (na * nb)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


@dataclass(frozen=True)
class FingerFigures:
    """The figures each finger's decision is made from (for benchmarks and the dashboard)."""

    reach: tuple[float, ...]  # long fingers: |tip - wrist| / |PIP - wrist|
    bend: tuple[float, ...]  # long fingers: degrees at the PIP joint
    thumb_reach: float  # |thumb tip - little MCP| / palm width
    thumb_pinch: float  # min |thumb tip - index or middle tip| / palm width


def figures(points: Sequence[Sequence[float]]) -> FingerFigures:
    p = _array(points)
    wrist = p[WRIST]
    reach, bend = [], []
    for mcp, pip, _dip, tip in FINGERS:
        to_pip = max(float(np.linalg.norm(p[pip] - wrist)), 1e-6)
        reach.append(float(np.linalg.norm(p[tip] - wrist)) / to_pip)
        bend.append(_angle(p[pip] - p[mcp], p[tip] - p[pip]))
    palm = max(float(np.linalg.norm(p[5] - p[17])), 1e-6)
    return FingerFigures(
        reach=tuple(reach),
        bend=tuple(bend),
        thumb_reach=float(np.linalg.norm(p[THUMB[3]] - p[FINGERS[3][0]])) / palm,
        thumb_pinch=min(float(np.linalg.norm(p[THUMB[3]] - p[f[3]])) for f in FINGERS[:2]) / palm,
    )


def finger_state(points: Sequence[Sequence[float]]) -> str:
    """Five characters, thumb to little finger, "1" for a raised finger."""
    f = figures(points)
    thumb = f.thumb_reach >= THUMB_REACH_MIN and f.thumb_pinch > THUMB_PINCH_MAX
    long = [
        r >= FINGER_REACH_MIN and b <= FINGER_BEND_MAX for r, b in zip(f.reach, f.bend, strict=True)
    ]
    return "".join("1" if up else "0" for up in (thumb, *long))


def hands_to_list(hands: Sequence[Hand]) -> list[dict[str, Any]]:
    """JSON-safe hands (coordinates rounded to 0.1 px), for `FrameObservation.to_dict`."""
    return [
        {
            "points": np.round(np.asarray(h.points, dtype=np.float64), 1).tolist(),
            "side": h.side,
            "score": round(h.score, 3),
        }
        for h in hands
    ]


def hands_from_list(data: Sequence[dict[str, Any]]) -> list[Hand]:
    hands = []
    for row in data:
        points = _array(row["points"])
        hands.append(Hand(points=points.tolist(), side=str(row.get("side", "")),
                          score=float(row.get("score", 0.0))))  # fmt: skip
    return hands
