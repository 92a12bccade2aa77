"""Hand landmarks for the thumb shapes no shared photo shows, made from recorded ones.

The shared photos show fists, the index finger, index and middle, three or four fingers and
the open hand, never the thumb alone, thumb and index, or thumb, index and little finger
(DATA.md). Those are built by moving recorded fingers from one real hand onto another: the
donor hand is aligned on the receiving hand's palm (wrist and the five finger bases) by the
best 3D similarity (Umeyama), then the chosen fingers' joints replace the receiver's.
"""

from __future__ import annotations

import numpy as np

from gestures.hands import FINGERS, THUMB

PALM = [0, 1, 5, 9, 13, 17]
JOINTS = {
    "thumb": THUMB[1:],
    **dict(zip(("index", "middle", "ring", "little"), FINGERS, strict=True)),
}


def similarity(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Scale, rotation and translation mapping `source` rows onto `target` rows (least
    squares, Umeyama 1991), without reflection."""
    mu_s, mu_t = source.mean(axis=0), target.mean(axis=0)
    s, t = source - mu_s, target - mu_t
    u, sigma, vt = np.linalg.svd(t.T @ s / len(source))
    d = np.ones(3)
    d[-1] = np.sign(np.linalg.det(u @ vt))
    rotation = u @ np.diag(d) @ vt
    scale = float((sigma * d).sum() / s.var(axis=0).sum())
    return scale, rotation, mu_t - scale * rotation @ mu_s


def transplant(receiver: list[list[float]], donor: list[list[float]], fingers: list[str]):
    """The receiver's landmarks with `fingers` taken from the donor, aligned on the palm."""
    out, src = np.asarray(receiver, dtype=float).copy(), np.asarray(donor, dtype=float)
    scale, rotation, shift = similarity(src[PALM], out[PALM])
    moved = scale * src @ rotation.T + shift
    for finger in fingers:
        for index in JOINTS[finger]:
            out[index] = moved[index]
    return out.tolist()
