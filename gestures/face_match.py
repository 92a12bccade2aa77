"""Face-match scoring: a descriptor distance in, GLAIR's match answer out (CONTRACT section 5).

Pure: no model, no Django. `workers.facematch` measures the Euclidean distance between two dlib
ResNet descriptors; this module says what it means.

- `MATCH` when the distance is at most MATCH_DISTANCE = 0.5, stricter than the 0.6 dlib's author
  chose on LFW. On the shared identities (bench/facematch.py, docs/ACCURACY.md) 0.6 let 3.4% of
  impostor pairs match, nearly all between East Asian men (dlib's training set is mostly
  Western faces, a known weakness, and this service's first users are Indonesian); at 0.5 the
  false match rate is 0.2% and the only genuine pairs lost are low-resolution stage-footage
  frames against a portrait.
- `match_percentage` is a logistic of the distance centred on the threshold, so 0.5 is the
  boundary: the measured genuine median (distance 0.28) reads 0.98, the impostor median (0.86)
  0.00, and the nearest 5% of impostors (0.63) 0.1 or less. It is a calibrated score, not a
  probability estimated on a large population: compare the code, or the figure with 0.5.
"""

from __future__ import annotations

import math
from enum import StrEnum

MATCH_DISTANCE = 0.5
# The logistic's width: 0.5 -+ 0.18 maps to 0.95 / 0.05.
SCORE_SCALE = 0.06
SCORE_DIGITS = 5  # as GLAIR's samples


class MatchCode(StrEnum):
    MATCH = "MATCH"
    NOT_MATCH = "NOT_MATCH"
    NO_FACE_STORED_IMG = "NO_FACE_STORED_IMG"
    NO_FACE_CAPTURED_IMG = "NO_FACE_CAPTURED_IMG"
    MANY_FACES_STORED_IMG = "MANY_FACES_STORED_IMG"
    MANY_FACES_CAPTURED_IMG = "MANY_FACES_CAPTURED_IMG"


MATCH_STATUS: dict[MatchCode, str] = {
    MatchCode.MATCH: "Face matched",
    MatchCode.NOT_MATCH: "Face does not match",
    MatchCode.NO_FACE_STORED_IMG: "No face detected in the stored image",
    MatchCode.NO_FACE_CAPTURED_IMG: "No face detected in the captured image",
    MatchCode.MANY_FACES_STORED_IMG: "More than one face detected in the stored image",
    MatchCode.MANY_FACES_CAPTURED_IMG: "More than one face detected in the captured image",
}


def match_percentage(distance: float) -> float:
    """The calibrated similarity in 0..1 of two descriptors `distance` apart (0.5 = threshold)."""
    exponent = (distance - MATCH_DISTANCE) / SCORE_SCALE
    if exponent > 700:  # math.exp overflows past about 709
        return 0.0
    return round(1.0 / (1.0 + math.exp(exponent)), SCORE_DIGITS)


def match_code(distance: float) -> MatchCode:
    return MatchCode.MATCH if distance <= MATCH_DISTANCE else MatchCode.NOT_MATCH


def face_count_code(faces: int, *, stored: bool) -> MatchCode | None:
    """The code for a photo without exactly one face, or None when it has one."""
    if faces == 1:
        return None
    if faces == 0:
        return MatchCode.NO_FACE_STORED_IMG if stored else MatchCode.NO_FACE_CAPTURED_IMG
    return MatchCode.MANY_FACES_STORED_IMG if stored else MatchCode.MANY_FACES_CAPTURED_IMG
