from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from sessions.models import LivenessSession, SessionStatus
from tests.support.api import SESSIONS, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_it_creates_a_session_with_the_contract_fields(api: Any) -> None:
    before_ms = int(time.time() * 1000)
    response = api.post(SESSIONS, {"success_url": "https://m.example/ok"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "sid",
        "status",
        "success_url",
        "cancel_url",
        "number_of_gestures",
        "url",
        "expired",
        "created_at",
        "result",
    }
    assert body["status"] == "PENDING"
    assert body["success_url"] == "https://m.example/ok"
    assert body["cancel_url"] is None
    assert body["number_of_gestures"] == 1
    assert body["result"] is None
    assert uuid.UUID(body["sid"]).version == 7
    # 24 h by default, in milliseconds since the epoch, as GLAIR.
    assert abs(body["expired"] - (before_ms + 86_400_000)) < 10_000
    assert body["created_at"].endswith("Z")


def test_the_page_url_token_is_long_random_and_not_the_sid(api: Any) -> None:
    first, second = api.create(), api.create()
    token = first["url"].rsplit("/", 1)[1]
    assert first["url"].startswith("http://testserver/face/active-liveness/")
    assert first["sid"] not in first["url"]
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    assert token != second["url"].rsplit("/", 1)[1]


def test_sids_are_time_ordered(api: Any) -> None:
    sids = [api.create()["sid"] for _ in range(5)]
    assert sids == sorted(sids)
    assert [uuid.UUID(s) for s in sids] == sorted(uuid.UUID(s) for s in sids)


def test_it_keeps_every_optional_field(api: Any) -> None:
    body = api.create(
        success_url="https://m.example/ok?order=7",
        cancel_url="https://m.example/cancel",
        number_of_gestures=3,
        expires_in=600,
        device_correlation_id="device-42",
    )
    assert body["cancel_url"] == "https://m.example/cancel"
    assert body["number_of_gestures"] == 3
    assert abs(body["expired"] - (time.time() * 1000 + 600_000)) < 10_000
    session = LivenessSession.objects.get(pk=body["sid"])
    assert session.device_correlation_id == "device-42"
    assert len(session.gestures) == 3
    assert len(set(session.gestures)) == 3  # drawn without repeats from the pool


def test_explicit_gestures_set_the_order_and_the_count(api: Any) -> None:
    body = api.create(gestures=["HEAD_UP", "HEAD_00"])
    assert body["number_of_gestures"] == 2
    assert LivenessSession.objects.get(pk=body["sid"]).gestures == ["HEAD_UP", "HEAD_00"]


def test_the_gesture_order_is_not_in_the_session_object(api: Any) -> None:
    body = api.create(gestures=["HEAD_UP", "HEAD_00"])
    assert "HEAD_UP" not in str(body)


def test_unknown_fields_are_ignored(api: Any) -> None:
    body = api.create(favourite_colour="blue", status="FINISHED")
    assert body["status"] == SessionStatus.PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("success_url", "javascript:alert(1)"),
        ("success_url", "data:text/html,<b>hi</b>"),
        ("success_url", "/relative/path"),
        ("success_url", "//evil.example/x"),
        ("success_url", "ftp://files.example/x"),
        ("success_url", "https://"),
        ("success_url", "https://exa mple.com/"),
        ("success_url", "https://example.com/" + "a" * 3000),
        ("success_url", 42),
        ("success_url", None),
        ("cancel_url", "javascript:history.back()"),
        ("cancel_url", ["https://a.example"]),
        ("number_of_gestures", 0),
        ("number_of_gestures", 6),
        ("number_of_gestures", "2"),
        ("number_of_gestures", 2.5),
        ("number_of_gestures", True),
        ("gestures", []),
        ("gestures", ["HEAD_LEFT"] * 6),
        ("gestures", ["HEAD_SIDEWAYS"]),
        ("gestures", "HEAD_LEFT"),
        ("gestures", [1]),
        ("expires_in", 59),
        ("expires_in", 86401),
        ("expires_in", "600"),
        ("device_correlation_id", "x" * 129),
        ("device_correlation_id", 12),
    ],
)
def test_it_rejects_bad_values_naming_the_field(api: Any, field: str, value: Any) -> None:
    body = {"success_url": "https://m.example/ok", field: value}
    error = assert_error(api.post(SESSIONS, body), 400, "INVALID_REQUEST")
    assert error["field"] == field
    assert field in error["message"]


def test_it_accepts_hand_and_head_gestures_in_the_order_given(api: Any) -> None:
    body = {"success_url": "https://m.example/ok", "gestures": ["HAND_01100", "HEAD_LEFT"]}
    response = api.post(SESSIONS, body)
    assert response.status_code == 201, response.content
    assert response.json()["number_of_gestures"] == 2
    assert LivenessSession.objects.get().gestures == ["HAND_01100", "HEAD_LEFT"]


def test_a_gesture_disabled_here_is_refused_by_name(api: Any, settings: Any) -> None:
    settings.LIVENESS_ENABLED_GESTURES = ["HEAD_UP", "HEAD_LEFT"]
    body = {"success_url": "https://m.example/ok", "gestures": ["HEAD_UP", "HAND_01100"]}
    error = assert_error(api.post(SESSIONS, body), 400, "INVALID_REQUEST")
    assert error["field"] == "gestures"
    assert "HAND_01100" in error["message"] and "not enabled" in error["message"]
    assert not LivenessSession.objects.exists()


def test_a_hand_code_outside_glairs_nine_is_unknown(api: Any) -> None:
    body = {"success_url": "https://m.example/ok", "gestures": ["HAND_10101"]}
    error = assert_error(api.post(SESSIONS, body), 400, "INVALID_REQUEST")
    assert error["field"] == "gestures" and "unknown" in error["message"]


def test_success_url_is_required(api: Any) -> None:
    error = assert_error(api.post(SESSIONS, {"cancel_url": "https://m.example/c"}), 400)
    assert error["field"] == "success_url"


def test_count_and_list_must_agree_when_both_are_given(api: Any) -> None:
    body = {"success_url": "https://m.example/ok", "gestures": ["HEAD_UP"], "number_of_gestures": 2}
    assert assert_error(api.post(SESSIONS, body), 400)["field"] == "number_of_gestures"


@pytest.mark.parametrize("raw", ["{bad json", "", "null", "[1, 2]", '"a string"', "\x00\xff"])
def test_it_rejects_a_body_that_is_not_a_json_object(api: Any, raw: str) -> None:
    response = api.post(SESSIONS, raw)
    assert_error(response, 400)


def test_it_rejects_other_media_types(api: Any) -> None:
    response = api.client.post(
        SESSIONS,
        data="success_url=https://m.example/ok",
        content_type="application/x-www-form-urlencoded",
        headers=api.headers,
    )
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_it_refuses_a_huge_body_without_reading_it(api: Any, settings: Any) -> None:
    # A create may carry a base64 `verify_image` of LIVENESS_VERIFY_IMAGE_MAX_BYTES on top of
    # API_MAX_BODY_BYTES (16 KiB).
    settings.LIVENESS_VERIFY_IMAGE_MAX_BYTES = 100_000
    huge = {"success_url": "https://m.example/ok", "padding": "x" * 200_000}
    assert_error(api.post(SESSIONS, huge), 413, "PAYLOAD_TOO_LARGE")


def test_a_deeply_nested_body_is_bad_json_not_a_server_error(api: Any) -> None:
    # 200 KB of brackets fits a create's body limit (room for a verify_image) and is deeper
    # than the JSON decoder can recurse.
    deep = '{"success_url": "https://m.example/ok", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert_error(api.post(SESSIONS, deep), 400, "INVALID_JSON")


def test_it_accepts_a_trailing_slash_too(api: Any) -> None:
    assert api.post(SESSIONS + "/", {"success_url": "https://m.example/ok"}).status_code == 201


def test_internal_host_names_are_allowed_for_redirects(api: Any) -> None:
    body = api.create(success_url="http://shop-backend:8080/liveness/done")
    assert body["success_url"] == "http://shop-backend:8080/liveness/done"
