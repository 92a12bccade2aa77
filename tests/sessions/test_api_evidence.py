from __future__ import annotations

from typing import Any

import pytest

from sessions.models import LivenessSession
from sessions.services.progress import session_image_save
from sessions.services.sessions import event_record
from tests.support.api import SESSIONS, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
JPEG = b"\xff\xd8\xff\xe0fake-but-stored-as-is\xff\xd9"


@pytest.fixture
def session_with_evidence(api: Any, settings: Any, tmp_path: Any) -> LivenessSession:
    settings.MEDIA_ROOT = tmp_path
    created = api.create(gestures=["HEAD_LEFT", "HEAD_UP"])
    session = LivenessSession.objects.get(pk=created["sid"])
    session_image_save(session=session, kind="reference", jpeg=JPEG)
    session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=0)
    session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=1)
    event_record(session=session, kind="connected")
    event_record(session=session, kind="challenge_started", data={"index": 0})
    return session


def test_images_lists_the_reference_and_one_audit_frame_per_challenge(
    api: Any, session_with_evidence: LivenessSession
) -> None:
    body = api.get(f"{SESSIONS}/{session_with_evidence.sid}/images").json()
    assert body["sid"] == str(session_with_evidence.sid)
    assert body["reference"]["kind"] == "reference"
    assert [(i["challenge_index"], i["gesture"]) for i in body["audit"]] == [
        (0, "HEAD_LEFT"),
        (1, "HEAD_UP"),
    ]
    image = api.get(body["audit"][0]["url"].replace("http://testserver", ""))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == JPEG


def test_a_new_reference_replaces_the_old_and_audit_frames_stop_at_four(
    api: Any, session_with_evidence: LivenessSession
) -> None:
    session = session_with_evidence
    session_image_save(session=session, kind="reference", jpeg=JPEG + b"2")
    for index in range(2, 6):
        session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=index)
    assert session.images.filter(kind="reference").count() == 1
    assert session.images.filter(kind="audit").count() == 4


def test_the_audit_lists_what_happened_in_order(
    api: Any, session_with_evidence: LivenessSession
) -> None:
    body = api.get(f"{SESSIONS}/{session_with_evidence.sid}/audit").json()
    kinds = [e["kind"] for e in body["events"]]
    assert kinds == ["session_created", "connected", "challenge_started"]
    times = [e["at"] for e in body["events"]]
    assert times == sorted(times)
    assert body["events"][2]["data"] == {"index": 0}


def test_evidence_of_another_merchant_is_not_found(
    other_api: Any, session_with_evidence: LivenessSession
) -> None:
    sid = session_with_evidence.sid
    image_id = session_with_evidence.images.first().pk
    for path in (f"{sid}/images", f"{sid}/audit", f"{sid}/images/{image_id}"):
        assert_error(other_api.get(f"{SESSIONS}/{path}"), 404, "NOT_FOUND")


def test_an_unknown_image_is_not_found(api: Any, session_with_evidence: LivenessSession) -> None:
    assert_error(api.get(f"{SESSIONS}/{session_with_evidence.sid}/images/999999"), 404)


def test_a_deleted_session_has_no_evidence_left(
    api: Any, session_with_evidence: LivenessSession, django_capture_on_commit_callbacks: Any
) -> None:
    sid = session_with_evidence.sid
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{SESSIONS}/{sid}").status_code == 204
    assert_error(api.get(f"{SESSIONS}/{sid}/images"), 404)
    assert not session_with_evidence.images.exists()


def test_evidence_needs_credentials(session_with_evidence: LivenessSession) -> None:
    from django.test import Client

    response = Client().get(f"{SESSIONS}/{session_with_evidence.sid}/images")
    assert_error(response, 401)
