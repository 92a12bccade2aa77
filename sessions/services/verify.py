"""Liveness with verify (CONTRACT section 1, `verify_image`): is the live person the one expected?

The merchant sends the expected person's photo (an ID photo) when it creates the session. It is
checked then (a bounded JPEG/PNG with exactly one face) and kept as the session's evidence
(`ImageKind.VERIFY`, deleted with the other images). When the engine reaches its verdict, the
session's reference frame and audit frames are each compared with it (`workers.facematch`):

- every frame in which one face is found must match: a person swapped in mid-session shows up
  in the audit frame of a later gesture even when the reference frame was the right person;
- the answer is GLAIR's face-match code and `match_percentage` of the worst frame compared;
- not `MATCH` (another face, or no frame with a face to compare) fails the session with
  `"gesture_status": "NOT_MATCH", "reason": "FACE_MISMATCH"` (a spoof's reason stays).
"""

from __future__ import annotations

import logging

from django.conf import settings

from gestures.face_match import MatchCode, face_count_code, match_code, match_percentage
from gestures.vocabulary import GestureStatus, Verdict, VerdictStatus, VerifyOutcome
from sessions.errors import InvalidInput
from sessions.models import ImageKind, LivenessSession, SessionImage
from sessions.services.facematch import face_scan
from sessions.services.passive import image_decode
from workers import facematch
from workers.decode import sniff_format

log = logging.getLogger(__name__)

FIELD = "verify_image"
FACE_MISMATCH = "FACE_MISMATCH"
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def verify_image_check(*, data: bytes) -> str:
    """Refuse a `verify_image` the session could not compare with; its content type if usable.

    1. A JPEG or PNG of at most LIVENESS_VERIFY_IMAGE_MAX_BYTES (and the upload pixel bound).
    2. Exactly one face: with none or several, whom would the session be verifying?
    """
    kind = sniff_format(data)
    if kind not in CONTENT_TYPES:
        raise InvalidInput(f"{FIELD}: not a base64 JPEG or PNG image", field=FIELD)
    limit = settings.LIVENESS_VERIFY_IMAGE_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            f"{FIELD}: the image has {len(data)} bytes; at most {limit}", field=FIELD
        )
    scan = face_scan(image_decode(data, field=FIELD))
    problem = face_count_code(scan.faces, stored=True)
    if problem == MatchCode.NO_FACE_STORED_IMG:
        raise InvalidInput(f"{FIELD}: no face found in the image", field=FIELD)
    if problem is not None:
        raise InvalidInput(f"{FIELD}: {scan.faces} faces in the image; one is needed", field=FIELD)
    return CONTENT_TYPES[kind]


def verify_apply(*, session: LivenessSession, verdict: Verdict) -> Verdict:
    """Add `result.verify` to the verdict of a session created with `verify_image`, failing it
    when the faces do not match. The verdict is changed in place (the page's announcement of
    the outcome reads the same dict); applying twice (a retried write) changes nothing more."""
    if "verify" in verdict["result"]:
        return verdict
    images = list(session.images.all())
    expected = next((image for image in images if image.kind == ImageKind.VERIFY), None)
    if expected is None:
        return verdict
    outcome = _compare(expected, [image for image in images if image.kind != ImageKind.VERIFY])
    verdict["result"]["verify"] = outcome
    if outcome["match_status_code"] != MatchCode.MATCH:
        verdict["status"] = VerdictStatus.FAILED
        verdict["result"]["gesture_status"] = GestureStatus.NOT_MATCH
        verdict["result"].setdefault("reason", FACE_MISMATCH)
    return verdict


def _compare(expected: SessionImage, frames: list[SessionImage]) -> VerifyOutcome:
    """The worst comparison of the expected face with the face of each frame (reference first)."""
    reference = face_scan(image_decode(_read(expected), field=FIELD)).descriptor
    frames.sort(key=lambda image: image.kind != ImageKind.REFERENCE)
    distances = []
    for frame in frames:
        try:
            scan = face_scan(image_decode(_read(frame), field="frame"))
        except (OSError, InvalidInput):  # a frame lost from storage: compare the others
            log.exception("verify: could not read %s", frame.image.name)
            continue
        if scan.faces == 1 and scan.descriptor is not None and reference is not None:
            distances.append(facematch.distance(reference, scan.descriptor))
    if not distances:
        return {"match_percentage": 0.0, "match_status_code": MatchCode.NO_FACE_CAPTURED_IMG}
    worst = max(distances)
    return {"match_percentage": match_percentage(worst), "match_status_code": match_code(worst)}


def _read(image: SessionImage) -> bytes:
    with image.image.open("rb") as handle:
        data: bytes = handle.read()
    return data
