"""Evidence is written only while a session is PENDING and not deleted: a page still open
after the session ended, or while its merchant deletes it, never slips a frame in."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from glair_clone.asgi import application
from sessions.models import LivenessSession, SessionImage, SessionStatus, TimelineChunk
from sessions.services.progress import (
    session_image_save,
    session_progress_save,
    session_timeline_append,
)
from sessions.services.sessions import session_delete
from tests.support.api import SESSIONS
from tests.support.clips import b64, jpeg_frames
from tests.support.factories import LivenessSessionFactory, MerchantPersona

JPEG = b"\xff\xd8\xff\xe0evidence\xff\xd9"
SAMPLES = [{"t": 1, "faces": 1, "yaw": 0.0}]


def _write_everything(session: LivenessSession) -> list[Any]:
    return [
        session_image_save(session=session, kind="reference", jpeg=JPEG),
        session_image_save(session=session, kind="audit", jpeg=JPEG, challenge_index=0),
        session_timeline_append(session=session, samples=SAMPLES),
        session_progress_save(
            session=session, run_state={"x": 1}, current_index=1, attempts_used=0
        ),
    ]


def _evidence(session: LivenessSession) -> tuple[int, int]:
    return (
        SessionImage.objects.filter(session_id=session.pk).count(),
        TimelineChunk.objects.filter(session_id=session.pk).count(),
    )


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_pending_session_takes_evidence(
    merchant: MerchantPersona, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = LivenessSessionFactory(merchant=merchant.merchant)
    image, audit, appended, saved = _write_everything(session)
    assert image is not None and audit is not None and appended and saved
    assert _evidence(session) == (2, 1)
    session.refresh_from_db()
    assert session.run_state == {"x": 1} and session.current_index == 1


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize(
    "ended",
    [
        {"status": SessionStatus.FINISHED},
        {"status": SessionStatus.CANCELLED},
        {"status": SessionStatus.EXPIRED},
        {"deleted_at": timezone.now()},
    ],
    ids=["finished", "cancelled", "expired", "deleted"],
)
def test_an_ended_or_deleted_session_takes_no_evidence(
    merchant: MerchantPersona, settings: Any, tmp_path: Path, ended: dict[str, Any]
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = LivenessSessionFactory(merchant=merchant.merchant)
    # The caller's copy still says PENDING, as a page's LiveRun does: the database decides.
    LivenessSession.objects.filter(pk=session.pk).update(**ended)
    assert _write_everything(session) == [None, None, False, False]
    assert _evidence(session) == (0, 0)
    assert not list(tmp_path.rglob("*.jpg"))
    session.refresh_from_db()
    assert session.run_state is None


# --- racing a delete (two connections: PostgreSQL row locks, SQLite's write lock) ------------
@pytest.fixture
def two_connections() -> None:
    # The test database of the SQLite pass is in memory, shared between threads without
    # waiting on its locks: races need the real server (the PostgreSQL pass runs these).
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass)")


def _wait_until_someone_waits_for_a_lock() -> None:
    """Until another connection is blocked on a lock, or 10 s (then the race was lost)."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)


def _in_thread(work: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(work())
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_frame_written_while_a_delete_commits_is_refused(
    merchant: MerchantPersona, settings: Any, tmp_path: Path, two_connections: None
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = LivenessSessionFactory(merchant=merchant.merchant)
    with transaction.atomic():
        session_delete(merchant=merchant.merchant, sid=session.sid)  # not committed yet
        thread, out = _in_thread(lambda: _write_everything(session))
        _wait_until_someone_waits_for_a_lock()
    thread.join(30)
    assert out == [[None, None, False, False]]
    assert _evidence(session) == (0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_delete_racing_a_frame_still_removes_it(
    merchant: MerchantPersona, settings: Any, tmp_path: Path, two_connections: None
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = LivenessSessionFactory(merchant=merchant.merchant)
    with transaction.atomic():
        assert session_image_save(session=session, kind="reference", jpeg=JPEG) is not None
        assert session_timeline_append(session=session, samples=SAMPLES)
        thread, out = _in_thread(
            lambda: session_delete(merchant=merchant.merchant, sid=session.sid)
        )
        _wait_until_someone_waits_for_a_lock()
    thread.join(30)
    assert out == [None]
    assert _evidence(session) == (0, 0)


# --- the real socket: the merchant deletes while the page streams ----------------------------
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_deleting_a_session_while_its_page_streams_stops_its_evidence(
    shared_data: Path, merchant: MerchantPersona, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = await database_sync_to_async(LivenessSessionFactory)(
        merchant=merchant.merchant, gestures=["HEAD_OPEN_MOUTH"]
    )
    communicator = WebsocketCommunicator(
        application,
        f"/ws/active-liveness/{session.page_token}",
        headers=[(b"origin", b"http://testserver")],
    )
    assert (await communicator.connect())[0]
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "start"})
    await communicator.receive_json_from()

    def delete() -> int:
        return Client().delete(f"{SESSIONS}/{session.sid}", headers=merchant.headers).status_code

    after_delete: list[dict[str, Any]] = []
    deleted = False
    in_flight: set[int] = set()
    closed = False

    async def take() -> None:
        nonlocal deleted, closed
        output = await communicator.receive_output(timeout=15)
        if output["type"] == "websocket.close":
            closed = True
            return
        message = json.loads(output["text"])
        in_flight.discard(message.get("seq", -1))
        if deleted:
            after_delete.append(message)
        elif message["type"] == "challenge":
            assert await database_sync_to_async(delete)() == 204
            deleted = True
            assert await database_sync_to_async(_evidence)(session) == (0, 0)

    clip = shared_data / "videos" / "lp_d18_mouth_open.mp4"
    started = time.monotonic()
    for seq, (t_ms, jpeg) in enumerate(jpeg_frames(clip, fps=10)):
        delay = t_ms / 1000 - (time.monotonic() - started)
        if delay > 0:
            await asyncio.sleep(delay)
        while len(in_flight) >= 2 and not closed:
            await take()
        if closed:
            break
        await communicator.send_json_to({"type": "frame", "seq": seq, "image": b64(jpeg)})
        in_flight.add(seq)
    while in_flight and not closed:
        await take()
    if not closed:
        await communicator.disconnect()

    assert deleted
    kinds = [m["type"] for m in after_delete]
    # Frames kept flowing and the gesture was seen after the delete: evidence was offered...
    assert kinds.count("frame_result") >= 3 and "challenge_passed" in kinds, kinds
    # ...and none of it was kept, and no verdict was committed for a deleted session.
    assert "result" not in kinds
    assert await database_sync_to_async(_evidence)(session) == (0, 0)
    assert not list(tmp_path.rglob("*.jpg"))
    saved = await database_sync_to_async(LivenessSession.objects.get)(pk=session.pk)
    assert saved.deleted_at is not None and saved.result is None
