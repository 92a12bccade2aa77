"""GLAIR's face match (CONTRACT section 5): is the face of one photo the face of another?

`POST /face/v1/match` sends `stored_image` (the reference: an ID photo, an enrolment selfie) and
`captured_image` (the photo just taken). The answer is GLAIR's
`{"status", "result": {"match_percentage", "match_status", "match_status_code"}}`:

- `success`: each photo had exactly one face and they were compared; `match_status_code` is
  MATCH or NOT_MATCH (as for passive liveness, a merchant reads the code, not the top status).
- `failed`: a photo without a face or with several (NO_FACE_* / MANY_FACES_*, the stored image
  named first when both are wrong); nothing was compared and `match_percentage` is 0.0.

A file that is not a bounded JPEG, PNG or WebP image is refused with an error naming its field.
The model and its threshold are `workers.facematch` and `gestures.face_match`.
"""

from __future__ import annotations

from typing import TypedDict

from gestures.face_match import (
    MATCH_STATUS,
    MatchCode,
    face_count_code,
    match_code,
    match_percentage,
)
from gestures.vocabulary import VerdictStatus
from sessions.errors import LivenessError
from sessions.services.passive import image_decode
from workers import facematch
from workers.decode import Image

NO_COMPARISON = 0.0


class FaceMatchUnavailable(LivenessError):
    status = 503
    reason = "SERVICE_UNAVAILABLE"


class MatchOutcome(TypedDict):
    match_percentage: float
    match_status: str
    match_status_code: str


class MatchAnswer(TypedDict):
    status: str
    result: MatchOutcome


def face_match(*, stored_image: bytes, captured_image: bytes) -> MatchAnswer:
    """Compare the one face of `stored_image` with the one face of `captured_image`.

    1. Decode both within the upload bounds (refusals name the field), before any model runs.
    2. Find and describe the faces of each; a photo without exactly one face fails the match.
    3. Compare the descriptors: the distance decides the code, and maps to match_percentage.
    """
    stored_rgb = image_decode(stored_image, field="stored_image")
    captured_rgb = image_decode(captured_image, field="captured_image")
    stored = face_scan(stored_rgb)
    captured = face_scan(captured_rgb)
    problem = face_count_code(stored.faces, stored=True) or face_count_code(
        captured.faces, stored=False
    )
    if problem is not None or stored.descriptor is None or captured.descriptor is None:
        return _answer(problem or MatchCode.NO_FACE_STORED_IMG, NO_COMPARISON)
    distance = facematch.distance(stored.descriptor, captured.descriptor)
    return _answer(match_code(distance), match_percentage(distance))


def face_scan(rgb: Image) -> facematch.FaceScan:
    """The faces of a photo, or the service's 503 when the model is not installed."""
    try:
        return facematch.scan(rgb)
    except facematch.ModelMissing as exc:
        raise FaceMatchUnavailable(str(exc)) from exc


def _answer(code: MatchCode, percentage: float) -> MatchAnswer:
    compared = code in {MatchCode.MATCH, MatchCode.NOT_MATCH}
    return {
        "status": VerdictStatus.SUCCESS if compared else VerdictStatus.FAILED,
        "result": {
            "match_percentage": percentage,
            "match_status": MATCH_STATUS[code],
            "match_status_code": code,
        },
    }
