from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sessions.models import LivenessSession, SessionEvent
from tests.support.api import SESSIONS, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_it_returns_the_same_session_object(api: Any) -> None:
    created = api.create(cancel_url="https://m.example/c", number_of_gestures=2)
    response = api.get(f"{SESSIONS}/{created['sid']}")
    assert response.status_code == 200
    assert response.json() == created


def test_it_rejects_other_merchants_session(api: Any, other_api: Any) -> None:
    sid = api.create()["sid"]
    theirs = other_api.get(f"{SESSIONS}/{sid}")
    missing = other_api.get(f"{SESSIONS}/01900000-0000-7000-8000-000000000000")
    assert_error(theirs, 404, "NOT_FOUND")
    assert theirs.json() == missing.json()


@pytest.mark.parametrize("sid", ["nope", "123", "01900000-0000-7000-8000-00000000000Z", "%00"])
def test_a_malformed_sid_is_simply_not_found(api: Any, sid: str) -> None:
    assert_error(api.get(f"{SESSIONS}/{sid}"), 404, "NOT_FOUND")


def test_a_session_past_its_expiry_reads_as_expired_without_any_job(api: Any) -> None:
    sid = api.create()["sid"]
    LivenessSession.objects.filter(pk=sid).update(expires_at=timezone.now() - timedelta(seconds=1))
    body = api.get(f"{SESSIONS}/{sid}").json()
    assert body["status"] == "EXPIRED"
    assert body["result"] is None
    assert SessionEvent.objects.filter(session_id=sid, kind="session_expired").count() == 1
    # Reading again does not expire it twice.
    api.get(f"{SESSIONS}/{sid}")
    assert SessionEvent.objects.filter(session_id=sid, kind="session_expired").count() == 1


def test_a_finished_session_is_not_expired_later(api: Any) -> None:
    sid = api.create()["sid"]
    LivenessSession.objects.filter(pk=sid).update(
        status="FINISHED",
        result={"status": "success", "result": {}},
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert api.get(f"{SESSIONS}/{sid}").json()["status"] == "FINISHED"


def test_every_response_carries_a_request_id(api: Any) -> None:
    echoed = api.get(f"{SESSIONS}/x", **{"x-request-id": "trace-123"})
    assert echoed["Request-Id"] == "trace-123"
    generated = api.get(SESSIONS)
    assert len(generated["Request-Id"]) >= 16


def test_an_unsafe_request_id_is_replaced(api: Any) -> None:
    response = api.get(SESSIONS, **{"x-request-id": "bad id\twith<stuff>"})
    assert response["Request-Id"] != "bad id\twith<stuff>"
