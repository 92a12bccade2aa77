"""GLAIR's passive-liveness sessions (CONTRACT §5): the merchant API, the page, the webhook."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sessions.models import DeliveryStatus, LivenessSession, SessionKind, WebhookDelivery
from sessions.services.progress import session_cancel, session_finish
from sessions.services.webhooks import webhook_delivery_attempt
from sessions.webhook_runner import sweep
from tests.support.api import SESSIONS, ApiClient, assert_error
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
PASSIVE = "/face/v1/passive-liveness-sessions"
SESSION_KEYS = {"sid", "status", "success_url", "cancel_url", "url", "expired", "created_at",
                "result"}  # fmt: skip
LIVE = {"status": "success", "result": {"spoof_percentage": 0.031, "status": "LOW"}}


def create(api: ApiClient, **body: Any) -> dict[str, Any]:
    body.setdefault("success_url", "https://merchant.example/done")
    response = api.post(PASSIVE, body)
    assert response.status_code == 201, response.content
    return response.json()


def test_create_answers_a_session_without_gestures(api: ApiClient) -> None:
    created = create(api, cancel_url="https://merchant.example/back")
    assert set(created) == SESSION_KEYS
    assert created["status"] == "PENDING" and created["result"] is None
    assert created["cancel_url"] == "https://merchant.example/back"
    assert created["url"].startswith("http://testserver/face/passive-liveness/")
    assert created["url"].rsplit("/", 1)[1] != created["sid"]
    assert created["expired"] > time.time() * 1000 + 86000 * 1000
    session = LivenessSession.objects.get(pk=created["sid"])
    assert session.kind == SessionKind.PASSIVE and session.gestures == []
    assert api.get(f"{PASSIVE}/{created['sid']}").json() == created


def test_gesture_fields_are_ignored_and_the_extensions_kept(api: ApiClient) -> None:
    created = create(
        api, number_of_gestures=3, gestures=["HEAD_LEFT"], expires_in=600,
        device_correlation_id="phone-1", webhook_url="https://merchant.example/hook",
    )  # fmt: skip
    assert "number_of_gestures" not in created
    assert created["expired"] < time.time() * 1000 + 700 * 1000
    session = LivenessSession.objects.get(pk=created["sid"])
    assert session.gestures == [] and session.webhook_url == "https://merchant.example/hook"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "success_url"),
        ({"success_url": "javascript:alert(1)"}, "success_url"),
        ({"success_url": "/relative"}, "success_url"),
        ({"success_url": "https://m.example/", "cancel_url": "data:text/html,x"}, "cancel_url"),
        ({"success_url": "https://m.example/", "expires_in": 5}, "expires_in"),
        ({"success_url": "https://m.example/", "webhook_url": "ftp://m.example/"}, "webhook_url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api: ApiClient, body: Any, field: str) -> None:
    assert assert_error(api.post(PASSIVE, body), 400, "INVALID_REQUEST")["field"] == field


@pytest.mark.parametrize(
    ("raw", "status"),
    [("not json", 400), ("[1, 2]", 400), ('"text"', 400), ("[" * 5000, 400), ("{" * 100_000, 413)],
)
def test_a_body_that_is_not_a_json_object_is_a_json_error(
    api: ApiClient, raw: str, status: int
) -> None:
    assert_error(api.post(PASSIVE, raw), status)


def test_wrong_or_missing_credentials_are_401(api: ApiClient) -> None:
    sid = create(api)["sid"]
    anonymous = ApiClient(None)
    assert_error(anonymous.post(PASSIVE, {"success_url": "https://m.example/"}), 401)
    assert_error(anonymous.get(f"{PASSIVE}/{sid}"), 401)
    wrong = ApiClient(None)
    wrong.headers = {**api.headers, "x-api-key": "nope"}
    assert_error(wrong.get(f"{PASSIVE}/{sid}"), 401, "UNAUTHORIZED")


def test_it_rejects_other_merchants_session(api: ApiClient, other_api: ApiClient) -> None:
    sid = create(api)["sid"]
    for suffix in ("", "/images", "/audit", "/webhooks"):
        assert_error(other_api.get(f"{PASSIVE}/{sid}{suffix}"), 404, "NOT_FOUND")
    assert_error(other_api.delete(f"{PASSIVE}/{sid}"), 404)
    assert_error(api.get(f"{PASSIVE}/no-such-sid"), 404, "NOT_FOUND")


def test_each_path_knows_only_its_own_kind(api: ApiClient) -> None:
    passive = create(api)
    active = api.create()
    assert_error(api.get(f"{SESSIONS}/{passive['sid']}"), 404)
    assert_error(api.get(f"{PASSIVE}/{active['sid']}"), 404)
    assert_error(api.delete(f"{SESSIONS}/{passive['sid']}"), 404)
    assert [s["sid"] for s in api.get(PASSIVE).json()] == [passive["sid"]]
    assert [s["sid"] for s in api.get(SESSIONS).json()] == [active["sid"]]
    # Each page only opens at its own path.
    page = passive["url"].replace("http://testserver", "")
    assert api.client.get(page).status_code == 200
    assert (
        api.client.get(page.replace("/passive-liveness/", "/active-liveness/")).status_code == 404
    )


def test_list_pages_and_delete_revokes(api: ApiClient) -> None:
    sids = [create(api)["sid"] for _ in range(4)]
    assert [s["sid"] for s in api.get(f"{PASSIVE}?start={sids[0]}&top=2").json()] == sids[1:3]
    assert_error(api.get(f"{PASSIVE}?top=0"), 400, "INVALID_REQUEST")
    page = LivenessSession.objects.get(pk=sids[0]).page_token
    assert api.delete(f"{PASSIVE}/{sids[0]}").status_code == 204
    assert_error(api.get(f"{PASSIVE}/{sids[0]}"), 404)
    assert api.client.get(f"/face/passive-liveness/{page}").status_code == 404
    assert [s["sid"] for s in api.get(PASSIVE).json()] == sids[1:]


def test_images_and_audit_answer_for_a_passive_session(api: ApiClient) -> None:
    sid = create(api)["sid"]
    images = api.get(f"{PASSIVE}/{sid}/images").json()
    assert images == {"sid": sid, "reference": None, "audit": []}
    audit = api.get(f"{PASSIVE}/{sid}/audit").json()
    assert audit["status"] == "PENDING"
    assert [e["kind"] for e in audit["events"]] == ["session_created"]


def test_the_result_is_glairs_passive_shape(api: ApiClient) -> None:
    sid = create(api)["sid"]
    session = LivenessSession.objects.get(pk=sid)
    assert session_finish(session=session, verdict=dict(LIVE))
    body = api.get(f"{PASSIVE}/{sid}").json()
    assert body["status"] == "FINISHED" and body["result"] == LIVE
    assert api.get(PASSIVE).json()[0]["result"] == LIVE


def test_the_page_opens_in_its_passive_mode(api: ApiClient) -> None:
    created = create(api, cancel_url="https://merchant.example/back")
    html = api.client.get(created["url"].replace("http://testserver", "")).content.decode()
    token = created["url"].rsplit("/", 1)[1]
    assert 'data-mode="passive"' in html
    assert f'data-ws-url="ws://testserver/ws/passive-liveness/{token}"' in html
    assert 'data-cancel-url="https://merchant.example/back"' in html


def test_the_schema_documents_the_passive_paths(api: ApiClient) -> None:
    schema = api.client.get("/face/v1/schema/?format=json").json()
    assert "post" in schema["paths"]["/face/v1/passive-liveness-sessions/"]
    assert "get" in schema["paths"]["/face/v1/passive-liveness-sessions/{sid}/"]


# --- webhooks (CONTRACT §6) ---------------------------------------------------------------


@pytest.fixture
def fast(settings: Any) -> Any:
    settings.LIVENESS_WEBHOOK_ALLOW_PRIVATE = True
    settings.LIVENESS_WEBHOOK_TIMEOUT_S = 0.5
    settings.LIVENESS_WEBHOOK_RETRY_FIRST_S = 0.05
    return settings


def _deliver() -> None:
    for _ in range(10):
        sweep(lambda delivery_id: webhook_delivery_attempt(delivery_id=delivery_id))
        if not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            return
        time.sleep(0.1)


def test_a_finished_passive_session_posts_its_own_session_object(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        sid = create(api, webhook_url=receiver.url)["sid"]
        session = LivenessSession.objects.get(pk=sid)
        assert session_finish(session=session, verdict=dict(LIVE))
        assert WebhookDelivery.objects.filter(sid=sid).count() == 1  # with the verdict
        _deliver()
        [request] = receiver.wait_for(1)
    assert request.event["type"] == "session.finished"
    assert request.event["data"] == api.get(f"{PASSIVE}/{sid}").json()
    assert "/face/passive-liveness/" in request.event["data"]["url"]
    [delivery] = api.get(f"{PASSIVE}/{sid}/webhooks").json()["deliveries"]
    assert delivery["id"] == request.event["id"] and delivery["status"] == "DELIVERED"


def test_a_cancelled_passive_session_posts_session_cancelled(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        sid = create(api, webhook_url=receiver.url)["sid"]
        assert session_cancel(session=LivenessSession.objects.get(pk=sid))
        _deliver()
        [request] = receiver.wait_for(1)
    assert request.event["type"] == "session.cancelled"
    assert request.event["data"]["status"] == "CANCELLED"
    assert "number_of_gestures" not in request.event["data"]
