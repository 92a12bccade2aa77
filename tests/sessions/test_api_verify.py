"""Liveness with verify (CONTRACT section 1, `verify_image`) with dlib's real face model, on real
photos and frames of the shared clips."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.test import Client

from gestures.vocabulary import Verdict
from sessions.models import ImageKind, LivenessSession
from sessions.services.progress import session_finish, session_image_save
from tests.support.api import SESSIONS, assert_error
from tests.support.clips import jpeg_frames

pytestmark = [pytest.mark.django_db]

PHOTOS = "images/face_recognition/"
LP_D18_MAN = "images/liveportrait/driving_d19.jpg"  # a photo of the lp_d18 clip's man


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def clip_frame(shared_data: Path, clip: str, index: int) -> bytes:
    """One frame of a clip as the page sends it (480 px JPEG)."""
    for i, (_, jpeg) in enumerate(jpeg_frames(shared_data / "videos" / clip, fps=5)):
        if i == index:
            return jpeg
    raise AssertionError(f"{clip} has no frame {index}")


def passed() -> Verdict:
    gesture = {
        "gesture": "HEAD_LEFT",
        "gesture_status": "MATCH",
        "detected_gesture": "HEAD_LEFT",
        "duration_ms": 900,
    }
    return {
        "status": "success",
        "result": {
            "gesture_status": "MATCH",
            "detected_gesture": "HEAD_LEFT",
            "gestures": [gesture],
        },
    }


def finish(api: Any, verify_image: str, reference: bytes, *audit: bytes) -> dict[str, Any]:
    """A session created with `verify_image` whose run saved these frames and then passed its
    gestures: the verdict as the merchant reads it."""
    created = api.create(gestures=["HEAD_LEFT"], verify_image=verify_image)
    session = LivenessSession.objects.get(pk=created["sid"])
    session_image_save(session=session, kind=ImageKind.REFERENCE, jpeg=reference)
    for index, frame in enumerate(audit):
        session_image_save(session=session, kind=ImageKind.AUDIT, jpeg=frame, challenge_index=index)
    assert session_finish(session=session, verdict=passed())
    body: dict[str, Any] = api.get(f"{SESSIONS}/{created['sid']}").json()
    assert body["status"] == "FINISHED"
    return body["result"]


def test_the_users_own_photo_passes(api: Any, shared_data: Path) -> None:
    frame = clip_frame(shared_data, "lp_d18_mouth_open.mp4", 2)
    result = finish(api, b64(shared_data / LP_D18_MAN), frame, frame)
    assert result["status"] == "success"
    assert result["result"]["verify"]["match_status_code"] == "MATCH"
    assert result["result"]["verify"]["match_percentage"] > 0.5
    assert "reason" not in result["result"]


def test_someone_elses_photo_fails_the_session(api: Any, shared_data: Path, reviewer: Any) -> None:
    frame = clip_frame(shared_data, "lp_d18_mouth_open.mp4", 2)
    result = finish(api, b64(shared_data / PHOTOS / "obama.jpg"), frame)
    assert result["status"] == "failed"
    assert result["result"]["gesture_status"] == "NOT_MATCH"
    assert result["result"]["reason"] == "FACE_MISMATCH"
    assert result["result"]["verify"]["match_status_code"] == "NOT_MATCH"
    assert result["result"]["verify"]["match_percentage"] < 0.5
    # Reviewers see the expected person beside the frames, with the outcome.
    session = LivenessSession.objects.get()
    staff = Client()
    staff.force_login(reviewer)
    html = staff.get(f"/dashboard/sessions/{session.sid}/").content.decode()
    verify = session.images.get(kind=ImageKind.VERIFY)
    assert f'src="/dashboard/sessions/{session.sid}/images/{verify.pk}"' in html
    assert "Expected person" in html
    assert "NOT_MATCH" in html


def test_a_person_swapped_in_mid_session_fails_it(api: Any, shared_data: Path) -> None:
    # The right man at the reference frame, a woman at a later gesture's audit frame.
    right = clip_frame(shared_data, "lp_d18_mouth_open.mp4", 2)
    other = clip_frame(shared_data, "lp_d14_blinks.mp4", 3)
    result = finish(api, b64(shared_data / LP_D18_MAN), right, right, other)
    assert result["status"] == "failed"
    assert result["result"]["verify"]["match_status_code"] == "NOT_MATCH"


def test_the_verify_image_is_evidence_and_is_deleted_with_the_session(
    api: Any, shared_data: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = (shared_data / PHOTOS / "obama_small.jpg").read_bytes()
    created = api.create(verify_image="data:image/jpeg;base64," + base64.b64encode(data).decode())
    images = api.get(f"{SESSIONS}/{created['sid']}/images").json()
    assert images["verify"]["kind"] == "verify"
    assert images["verify"]["content_type"] == "image/jpeg"
    assert api.client.get(images["verify"]["url"], headers=api.headers).getvalue() == data
    stored = LivenessSession.objects.get(pk=created["sid"]).images.get(kind=ImageKind.VERIFY)
    storage, name = stored.image.storage, stored.image.name
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{SESSIONS}/{created['sid']}").status_code == 204
    assert not storage.exists(name)


def blank_png() -> str:
    ok, data = cv2.imencode(".png", np.full((240, 320, 3), 128, np.uint8))
    assert ok
    return base64.b64encode(data.tobytes()).decode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not base64 at all!", "base64"),
        (base64.b64encode(b"hello, not an image").decode(), "JPEG or PNG"),
        (12345, "string"),
        ("blank", "no face"),
        ("two_people.jpg", "2 faces"),
    ],
    ids=["not-base64", "not-an-image", "not-a-string", "no-face", "several-faces"],
)
def test_a_verify_image_the_session_could_not_use_is_a_400_naming_it(
    api: Any, shared_data: Path, value: Any, problem: str
) -> None:
    if value == "blank":
        value = blank_png()
    elif value == "two_people.jpg":
        value = b64(shared_data / PHOTOS / value)
    body = {"success_url": "https://merchant.example/done", "verify_image": value}
    error = assert_error(api.post(SESSIONS, body), 400, "INVALID_REQUEST")
    assert error["field"] == "verify_image"
    assert problem in error["message"]
    assert not LivenessSession.objects.exists()


def test_a_verify_image_over_its_bound_is_refused(
    api: Any, shared_data: Path, settings: Any
) -> None:
    data = (shared_data / PHOTOS / "obama_small.jpg").read_bytes()
    settings.LIVENESS_VERIFY_IMAGE_MAX_BYTES = len(data) - 1
    body = {
        "success_url": "https://merchant.example/done",
        "verify_image": b64(shared_data / PHOTOS / "obama_small.jpg"),
    }
    error = assert_error(api.post(SESSIONS, body), 400, "INVALID_REQUEST")
    assert error["field"] == "verify_image"
    settings.LIVENESS_VERIFY_IMAGE_MAX_BYTES = 1024
    assert_error(api.post(SESSIONS, body), 413, "PAYLOAD_TOO_LARGE")
