"""Expiry is a conditional update in a service, its event written only when it changed the
row; selectors only read."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from sessions import selectors
from sessions.models import LivenessSession, SessionEvent, SessionStatus
from sessions.services.progress import session_finish
from sessions.services.sessions import sessions_expire_due
from tests.support.api import SESSIONS
from tests.support.factories import LivenessSessionFactory, MerchantPersona

pytestmark = pytest.mark.postgres
VERDICT = {"status": "success", "result": {"gesture_status": "MATCH"}}


def _due(merchant: MerchantPersona) -> LivenessSession:
    return LivenessSessionFactory(
        merchant=merchant.merchant, expires_at=timezone.now() - timedelta(seconds=1)
    )


def _expired_events(session: LivenessSession) -> int:
    return SessionEvent.objects.filter(session_id=session.pk, kind="session_expired").count()


@pytest.mark.django_db
def test_selectors_only_read(merchant: MerchantPersona) -> None:
    session = _due(merchant)
    assert selectors.session_get(merchant=merchant.merchant, sid=session.sid).status == "PENDING"
    list(selectors.session_list(merchant=merchant.merchant))
    selectors.session_images(merchant=merchant.merchant, sid=session.sid)
    selectors.session_audit(merchant=merchant.merchant, sid=session.sid)
    session.refresh_from_db()
    assert session.status == SessionStatus.PENDING
    assert _expired_events(session) == 0


@pytest.mark.django_db
def test_reading_through_the_api_expires_once(merchant: MerchantPersona) -> None:
    session = _due(merchant)
    client = Client(headers=merchant.headers)
    for path in ("", "/audit", "/images"):
        assert client.get(f"{SESSIONS}/{session.sid}{path}").status_code == 200
    assert client.get(f"{SESSIONS}/{session.sid}").json()["status"] == "EXPIRED"
    assert [s["status"] for s in client.get(SESSIONS).json()] == ["EXPIRED"]
    assert _expired_events(session) == 1


@pytest.mark.django_db
def test_the_dashboard_shows_expired_sessions_once(
    merchant: MerchantPersona, reviewer: Any
) -> None:
    session = _due(merchant)
    client = Client()
    client.force_login(reviewer)
    assert str(session.sid) in client.get("/dashboard/?status=EXPIRED").content.decode()
    assert client.get(f"/dashboard/sessions/{session.sid}/").status_code == 200
    assert _expired_events(session) == 1


@pytest.mark.django_db
def test_expiring_twice_records_one_event(merchant: MerchantPersona) -> None:
    session, later = _due(merchant), LivenessSessionFactory(merchant=merchant.merchant)
    assert sessions_expire_due(sid=session.sid) == 1
    assert sessions_expire_due(sid=session.sid) == 0
    assert sessions_expire_due(merchant=merchant.merchant) == 0
    assert sessions_expire_due(sid="not-a-sid") == 0
    assert _expired_events(session) == 1
    later.refresh_from_db()
    assert later.status == SessionStatus.PENDING  # not due yet


@pytest.mark.django_db
def test_a_finished_session_never_expires(merchant: MerchantPersona) -> None:
    session = _due(merchant)
    assert session_finish(session=session, verdict=VERDICT)
    assert sessions_expire_due() == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED and _expired_events(session) == 0


# --- races (two connections: the PostgreSQL pass) ------------------------------------------
@pytest.fixture
def two_connections() -> None:
    # The SQLite pass's test database is in memory, shared between threads without waiting
    # on its locks: these need the real server.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass)")


def _holding_open(work: Any, started: threading.Event, release: threading.Event) -> Any:
    """Run `work` in a transaction on another connection and keep it open until `release`."""

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                started.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _release_when_blocked(release: threading.Event) -> threading.Thread:
    """Releases the other transaction once this test's connection waits on its row lock."""

    def watch() -> None:
        try:
            deadline = time.monotonic() + 10
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.02)
        finally:
            release.set()
            connection.close()

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


def _race(work: Any, then: Any) -> Any:
    """`then()` (here) starts while `work` (another connection) is done but not committed."""
    started, release = threading.Event(), threading.Event()
    holder = _holding_open(work, started, release)
    assert started.wait(30)
    watcher = _release_when_blocked(release)
    try:
        return then()
    finally:
        release.set()
        holder.join(30)
        watcher.join(30)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_expiries_record_one_event(
    merchant: MerchantPersona, two_connections: None
) -> None:
    session = _due(merchant)
    second = _race(
        lambda: sessions_expire_due(sid=session.sid), lambda: sessions_expire_due(sid=session.sid)
    )
    assert second == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.EXPIRED
    assert _expired_events(session) == 1


@pytest.mark.django_db(transaction=True)
def test_a_verdict_committed_in_between_makes_no_expiry(
    merchant: MerchantPersona, two_connections: None
) -> None:
    session = _due(merchant)
    expired = _race(
        lambda: session_finish(session=session, verdict=VERDICT),
        lambda: sessions_expire_due(merchant=merchant.merchant),
    )
    assert expired == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED and session.result == VERDICT
    assert _expired_events(session) == 0
