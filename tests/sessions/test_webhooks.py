"""Webhooks (CONTRACT §6), in process: the event is written with the session's end, and the
real sender POSTs it to a real HTTP receiver on loopback (tests.support.receiver).

The periodic job and the attempts are run by hand here (`_run_due`): the same functions the
embedded thread and the Celery tasks run. Real processes: tests/sessions/test_webhooks_live.py.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from sessions.checks import check_webhook_timing
from sessions.models import DeliveryStatus, LivenessSession, WebhookDelivery
from sessions.selectors import webhook_deliveries_due
from sessions.services.progress import session_cancel, session_finish
from sessions.services.webhooks import webhook_delivery_attempt, webhook_delivery_resend
from sessions.webhook_runner import EmbeddedScheduler, sweep
from tests.support.api import SESSIONS, ApiClient, assert_error
from tests.support.factories import MerchantPersona
from tests.support.receiver import Answer, Receiver, verify

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
VERDICT = {
    "status": "success",
    "result": {
        "gesture_status": "MATCH",
        "detected_gesture": "HEAD_LEFT",
        "gestures": [
            {
                "gesture": "HEAD_LEFT",
                "gesture_status": "MATCH",
                "detected_gesture": "HEAD_LEFT",
                "duration_ms": 900,
            }
        ],
    },
}


@pytest.fixture
def fast(settings: Any) -> Any:
    """Loopback receivers allowed; retries and timeouts in fractions of a second."""
    settings.LIVENESS_WEBHOOK_ALLOW_PRIVATE = True
    settings.LIVENESS_WEBHOOK_TIMEOUT_S = 0.5
    settings.LIVENESS_WEBHOOK_RETRY_FIRST_S = 0.05
    settings.LIVENESS_WEBHOOK_LEASE_S = 6
    return settings


def _run_due() -> int:
    """The periodic job, with each due delivery attempted right away in this thread."""
    return sweep(lambda delivery_id: webhook_delivery_attempt(delivery_id=delivery_id))


def _deliver_until_settled(rounds: int = 10) -> None:
    for _ in range(rounds):
        _run_due()
        open_ = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        if not open_.exists():
            return
        time.sleep(0.1)  # the next retry is 50-100 ms away here


def _session(api: ApiClient, receiver: Receiver) -> LivenessSession:
    created = api.create(webhook_url=receiver.url)
    return LivenessSession.objects.get(pk=created["sid"])


def test_a_finished_session_posts_one_signed_event_with_its_session_object(
    fast: Any, api: ApiClient, merchant: MerchantPersona
) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        assert session_finish(session=session, verdict=VERDICT)
        assert WebhookDelivery.objects.filter(sid=session.sid).count() == 1  # with the verdict
        _deliver_until_settled()
        [request] = receiver.wait_for(1)
    secret = merchant.merchant.webhook_secret
    assert verify(secret, request.headers["X-Liveness-Signature"], request.body)
    assert not verify("whsec_wrong", request.headers["X-Liveness-Signature"], request.body)
    event = request.event
    assert event["type"] == "session.finished"
    assert event["data"] == api.get(f"{SESSIONS}/{session.sid}").json()
    assert event["data"]["result"] == VERDICT
    assert abs(event["created"] / 1000 - time.time()) < 60
    listed = api.get(f"{SESSIONS}/{session.sid}/webhooks").json()
    [delivery] = listed["deliveries"]
    assert delivery["id"] == event["id"] and delivery["status"] == "DELIVERED"
    assert delivery["type"] == "session.finished"
    assert [a["status_code"] for a in delivery["attempts"]] == [200]


def test_a_cancelled_session_posts_session_cancelled(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        assert session_cancel(session=session)
        assert not session_finish(session=session, verdict=VERDICT)  # ended once, one event
        _deliver_until_settled()
        [request] = receiver.wait_for(1)
    assert request.event["type"] == "session.cancelled"
    assert request.event["data"]["status"] == "CANCELLED"


def test_sessions_without_webhook_url_send_nothing(fast: Any, api: ApiClient) -> None:
    session = LivenessSession.objects.get(pk=api.create()["sid"])
    assert session_finish(session=session, verdict=VERDICT)
    assert not WebhookDelivery.objects.exists()


def test_it_retries_after_a_500_and_a_timeout_with_the_same_id_and_bytes(
    fast: Any, api: ApiClient
) -> None:
    answers = [Answer(status=500), Answer(delay_s=1.5), Answer(status=204)]
    with Receiver(*answers) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        requests = receiver.wait_for(3)
    assert len(requests) == 3
    assert len({r.event["id"] for r in requests}) == 1
    assert len({r.body for r in requests}) == 1  # never a changed one
    delivery = WebhookDelivery.objects.get(sid=session.sid)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts_count == 3
    attempts = list(delivery.attempts.order_by("started_at", "id"))
    assert [a.status_code for a in attempts] == [500, None, 204]
    assert "timed out" in attempts[1].error
    assert attempts[1].duration_ms is not None and attempts[1].duration_ms < 1500


def test_expiry_fires_from_the_periodic_job_with_nobody_reading(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        LivenessSession.objects.filter(pk=session.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        _deliver_until_settled()  # the job alone: no API, page or dashboard read
        [request] = receiver.wait_for(1)
    assert request.event["type"] == "session.expired"
    assert request.event["data"]["status"] == "EXPIRED"
    assert request.event["data"]["sid"] == str(session.sid)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_private_address_is_refused_for_good_without_a_request(
    fast: Any, api: ApiClient, host: str
) -> None:
    fast.LIVENESS_WEBHOOK_ALLOW_PRIVATE = False
    with Receiver() as receiver:
        # https passes the create check; where the name leads is checked when sending.
        created = api.create(webhook_url=f"https://{host}:{receiver.port}/hooks")
        session = LivenessSession.objects.get(pk=created["sid"])
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        assert receiver.received == []
    delivery = WebhookDelivery.objects.get(sid=session.sid)
    assert delivery.status == DeliveryStatus.FAILED  # not retried forever
    [attempt] = delivery.attempts.all()
    assert attempt.status_code is None
    assert "refused" in attempt.error and "loopback" in attempt.error


def test_redirects_are_answers_not_followed(fast: Any, api: ApiClient) -> None:
    moved = Answer(status=302, headers={"Location": "http://169.254.169.254/latest"})
    with Receiver(moved, Answer(status=200)) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        requests = receiver.wait_for(2)
    assert len(requests) == 2  # the second is our retry to the same URL
    codes = WebhookDelivery.objects.get(sid=session.sid).attempts.values_list("status_code")
    assert [c for (c,) in codes] == [302, 200]


def test_one_delivery_of_a_session_in_flight_at_a_time(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        first = WebhookDelivery.objects.get(sid=session.sid)
        webhook_delivery_resend(delivery_id=first.pk)
        # Another delivery of the session is in flight (a worker holds it): this one waits.
        WebhookDelivery.objects.filter(pk=first.pk).update(
            status=DeliveryStatus.DELIVERING, lease_expires_at=timezone.now() + timedelta(hours=1)
        )
        second = WebhookDelivery.objects.create(
            merchant=first.merchant,
            sid=first.sid,
            event=first.event,
            url=first.url,
            body=first.body,
            created_at=timezone.now(),
            next_attempt_at=timezone.now(),
            retry_until=timezone.now() + timedelta(hours=1),
        )
        assert webhook_delivery_attempt(delivery_id=str(second.pk)) is not None
        assert second.attempts.count() == 0
        assert len(receiver.received) == 1
        # Not due again until the other's lease ends: the sweep does not spin on it.
        assert str(second.pk) not in webhook_deliveries_due(now=timezone.now())


def test_a_resend_sends_the_same_id_and_body_again(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        webhook_delivery_resend(delivery_id=WebhookDelivery.objects.get(sid=session.sid).pk)
        _deliver_until_settled()
        first, again = receiver.wait_for(2)
    assert first.body == again.body


def test_a_resend_starts_the_backoff_again(fast: Any, api: ApiClient) -> None:
    fast.LIVENESS_WEBHOOK_RETRY_FIRST_S = 30
    with Receiver(Answer(status=500)) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        delivery = WebhookDelivery.objects.get(sid=session.sid)
        # A delivery that failed many times in its first window, then was re-sent.
        for _ in range(12):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            webhook_delivery_attempt(delivery_id=str(delivery.pk))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, retry_until=timezone.now() - timedelta(days=1)
        )
        webhook_delivery_resend(delivery_id=delivery.pk)
        next_at = webhook_delivery_attempt(delivery_id=str(delivery.pk))
    assert next_at is not None
    assert next_at - timezone.now() < timedelta(seconds=60)  # the first retry, not an hour


def test_a_url_with_non_ascii_characters_is_sent_percent_encoded(fast: Any, api: ApiClient) -> None:
    with Receiver() as receiver:
        created = api.create(webhook_url=receiver.url + "/caf\u00e9?shop=\u00fc")
        session = LivenessSession.objects.get(pk=created["sid"])
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        [request] = receiver.wait_for(1)
    assert request.path == "/hooks/liveness/caf%C3%A9?shop=%C3%BC"
    assert WebhookDelivery.objects.get(sid=session.sid).status == DeliveryStatus.DELIVERED


def test_a_host_no_resolver_accepts_fails_for_good_instead_of_holding_the_delivery(
    fast: Any, api: ApiClient
) -> None:
    # Accepted at create (a name of letters and dots), refused by IDNA (a 70-letter label).
    created = api.create(webhook_url=f"https://{'a' * 70}.example/hook")
    session = LivenessSession.objects.get(pk=created["sid"])
    session_finish(session=session, verdict=VERDICT)
    _deliver_until_settled()
    delivery = WebhookDelivery.objects.get(sid=session.sid)
    assert delivery.status == DeliveryStatus.FAILED and delivery.lease_expires_at is None
    [attempt] = delivery.attempts.all()
    assert "not a valid host name" in attempt.error


def test_a_delivery_whose_worker_died_after_its_window_fails_instead_of_another_try(
    fast: Any, api: ApiClient
) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        past = timezone.now() - timedelta(seconds=1)
        WebhookDelivery.objects.filter(sid=session.sid).update(
            status=DeliveryStatus.DELIVERING, lease_expires_at=past, retry_until=past
        )
        _deliver_until_settled()
        assert receiver.received == []
    delivery = WebhookDelivery.objects.get(sid=session.sid)
    assert delivery.status == DeliveryStatus.FAILED and delivery.lease_expires_at is None


def test_create_refuses_a_webhook_url_that_is_not_https(api: ApiClient) -> None:
    refused = (
        "http://merchant.example/hook",
        "javascript:alert(1)",
        "data:text/plain,hi",
        "/hook",
        "//merchant.example/hook",
        "https://user:pass@merchant.example/hook",
        "https://merchant.example@10.0.0.1/hook",
        "https://merchant.example/" + "a" * 2048,
    )
    for url in refused:
        body = assert_error(
            api.post(SESSIONS, {"success_url": "https://m.example/", "webhook_url": url}), 400
        )
        assert body["field"] == "webhook_url"
    assert api.create(webhook_url="https://merchant.example/hook")["status"] == "PENDING"


def test_it_rejects_other_merchants_session_webhooks(api: ApiClient, other_api: ApiClient) -> None:
    sid = api.create(webhook_url="https://merchant.example/hook")["sid"]
    assert_error(other_api.get(f"{SESSIONS}/{sid}/webhooks"), 404, "NOT_FOUND")
    assert_error(api.get(f"{SESSIONS}/not-a-sid/webhooks"), 404, "NOT_FOUND")
    assert api.get(f"{SESSIONS}/{sid}/webhooks").json() == {"sid": sid, "deliveries": []}


def test_a_reviewer_sees_deliveries_and_resends_one(
    fast: Any, api: ApiClient, reviewer: Any
) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _deliver_until_settled()
        delivery = WebhookDelivery.objects.get(sid=session.sid)
        client = Client()
        client.force_login(reviewer)
        page = client.get(f"/dashboard/sessions/{session.sid}/").content.decode()
        assert str(delivery.pk) in page and "HTTP 200" in page
        resent = client.post(f"/dashboard/sessions/{session.sid}/webhooks/{delivery.pk}/resend")
        assert resent.status_code == 302
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        _deliver_until_settled()
        assert len(receiver.wait_for(2)) == 2


def test_a_rotated_secret_signs_the_next_attempts_retries_included(
    fast: Any, api: ApiClient, merchant: MerchantPersona
) -> None:
    with Receiver(Answer(status=401), Answer(status=200)) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _run_due()  # refused: the receiver expects the secret we are about to rotate to
        out = StringIO()
        call_command("rotate_webhook_secret", merchant.merchant.name, stdout=out)
        printed = json.loads(out.getvalue())
        assert printed["merchant"] == merchant.merchant.name
        assert printed["webhook_secret"] != merchant.merchant.webhook_secret
        _deliver_until_settled()
        old, new = receiver.wait_for(2)
    assert verify(merchant.merchant.webhook_secret, old.headers["X-Liveness-Signature"], old.body)
    assert verify(printed["webhook_secret"], new.headers["X-Liveness-Signature"], new.body)
    assert old.body == new.body


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("LIVENESS_WEBHOOK_LEASE_S", 12, "liveness.E061"),  # shorter than an attempt + 5 s
        ("LIVENESS_WEBHOOK_RETRY_FIRST_S", 0, "liveness.E060"),
    ],
)
def test_webhook_timing_that_would_misbehave_stops_the_server(
    settings: Any, name: str, value: float, code: str
) -> None:
    setattr(settings, name, value)
    assert [e.id for e in check_webhook_timing()] == [code]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_in_flight_on_another_connection_is_not_sent_again(
    fast: Any, api: ApiClient
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass)")
    fast.LIVENESS_WEBHOOK_TIMEOUT_S = 10  # the held request waits for the test, not a timeout
    fast.LIVENESS_WEBHOOK_LEASE_S = 30
    with Receiver(Answer(hold=True), Answer(status=200)) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        delivery = WebhookDelivery.objects.get(sid=session.sid)
        sibling = WebhookDelivery.objects.create(
            merchant=delivery.merchant,
            sid=delivery.sid,
            event=delivery.event,
            url=delivery.url,
            body=delivery.body,
            created_at=timezone.now(),
            next_attempt_at=timezone.now(),
            retry_until=timezone.now() + timedelta(hours=1),
        )

        def worker() -> None:  # another worker, with its own database connection
            try:
                webhook_delivery_attempt(delivery_id=str(delivery.pk))
            finally:
                connection.close()

        other = threading.Thread(target=worker)
        other.start()
        receiver.wait_for(1)  # the other worker holds the delivery, waiting for an answer
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk)) is None
        assert webhook_delivery_attempt(delivery_id=str(sibling.pk)) is not None  # waits
        assert len(receiver.received) == 1
        receiver.release()
        other.join(30)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts_count == 1
    assert sibling.attempts.count() == 0


def test_the_admin_rotates_the_webhook_secret_and_lists_deliveries(
    fast: Any, api: ApiClient, merchant: MerchantPersona
) -> None:
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    client = Client()
    client.force_login(staff)
    before = merchant.merchant.webhook_secret
    answer = client.post(
        "/admin/liveness_sessions/merchant/",
        {"action": "rotate_webhook_secret", "_selected_action": [merchant.merchant.pk]},
        follow=True,
    )
    merchant.merchant.refresh_from_db()
    assert merchant.merchant.webhook_secret != before
    assert merchant.merchant.webhook_secret in answer.content.decode()  # shown once
    session = LivenessSession.objects.get(pk=api.create(webhook_url="https://m.example/h")["sid"])
    session_cancel(session=session)
    listed = client.get("/admin/liveness_sessions/webhookdelivery/")
    assert listed.status_code == 200 and "session.cancelled" in listed.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_thread_delivers_and_stops(fast: Any, api: ApiClient) -> None:
    fast.LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER = True
    fast.LIVENESS_WEBHOOK_SWEEP_S = 60  # only a wake-up after the commit can send it in time
    scheduler = EmbeddedScheduler.start()
    assert scheduler is not None and EmbeddedScheduler.start() is scheduler  # once a process
    try:
        with Receiver() as receiver:
            session = _session(api, receiver)
            session_finish(session=session, verdict=VERDICT)
            [request] = receiver.wait_for(1, timeout=10)
    finally:
        scheduler.stop(timeout=10)
    assert request.event["data"]["sid"] == str(session.sid)
    assert EmbeddedScheduler.running is None
    assert not any(t.name.startswith("webhook") and t.is_alive() for t in threading.enumerate())


def test_a_deleted_session_sends_nothing_more(fast: Any, api: ApiClient) -> None:
    # The merchant deletes the session (and its evidence) while its event waits for a retry:
    # the event is given up, not sent later. One in flight during the delete is given up at
    # its next claim.
    with Receiver(Answer(status=500)) as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
        _run_due()
        receiver.wait_for(1)
        delivery = WebhookDelivery.objects.get(sid=session.sid)
        assert delivery.status == DeliveryStatus.PENDING  # a retry is due in 50-100 ms
        assert api.delete(f"{SESSIONS}/{session.sid}").status_code == 204
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        time.sleep(0.2)
        assert _run_due() == 0
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk)) is None
        time.sleep(0.3)
        assert len(receiver.received) == 1


def test_a_delivery_in_flight_when_its_session_is_deleted_is_given_up_at_its_next_claim(
    fast: Any, api: ApiClient
) -> None:
    with Receiver() as receiver:
        session = _session(api, receiver)
        session_finish(session=session, verdict=VERDICT)
    delivery = WebhookDelivery.objects.get(sid=session.sid)
    # A worker held it and died: its lease ran out, the claim would take it over...
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    LivenessSession.objects.filter(pk=session.sid).update(deleted_at=timezone.now())
    assert webhook_delivery_attempt(delivery_id=str(delivery.pk)) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts_count == 0
