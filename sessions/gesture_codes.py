"""The gesture codes of CONTRACT §2, and the draw of a random challenge order."""

from __future__ import annotations

import secrets

from gestures.codes import HAND_GESTURES, SUPPORTED_GESTURES

HEAD_GESTURES = SUPPORTED_GESTURES
ALL_GESTURES = HEAD_GESTURES + HAND_GESTURES  # GLAIR's 19 codes


def is_gesture_code(code: str) -> bool:
    return code in ALL_GESTURES


def draw_gestures(pool: list[str], count: int) -> list[str]:
    """A random order of `count` gestures from `pool`, drawn with the OS's CSPRNG.

    Without repeats while the pool allows; a longer sequence never repeats a gesture twice
    in a row, so no challenge can be passed by holding the previous pose.
    """
    rng = secrets.SystemRandom()
    if count <= len(pool):
        return rng.sample(pool, count)
    drawn: list[str] = []
    while len(drawn) < count:
        choices = [g for g in pool if not drawn or g != drawn[-1]] or pool
        drawn.append(rng.choice(choices))
    return drawn
