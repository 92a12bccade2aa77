"""The page's WebSocket against the real routing, the real engine and real clips."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from glair_clone.asgi import application
from sessions.models import LivenessSession, SessionStatus
from tests.support.clips import b64, jpeg_frames
from tests.support.factories import LivenessSessionFactory, make_merchant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ORIGIN = [(b"origin", b"http://testserver")]


async def _session(**kwargs: Any) -> LivenessSession:
    def make() -> LivenessSession:
        merchant = make_merchant().merchant
        return LivenessSessionFactory(merchant=merchant, **kwargs)

    return await database_sync_to_async(make)()


async def _connect(session: LivenessSession, headers: list[Any] = ORIGIN) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/active-liveness/{session.page_token}", headers=headers
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _started(session: LivenessSession) -> WebsocketCommunicator:
    """Connected, greeted, and Start pressed: frames will be analysed from now on."""
    communicator = await _connect(session)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "start"})
    await communicator.receive_json_from()
    return communicator


async def _refresh(session: LivenessSession) -> LivenessSession:
    return await database_sync_to_async(LivenessSession.objects.get)(pk=session.pk)


async def _stream(
    communicator: WebsocketCommunicator, clip: Path, *, fps: float = 10, until: str = "result"
) -> list[dict[str, Any]]:
    """Send a clip in real time, at most 2 frames in flight, until a message of type `until`
    (or a result); every message received.

    (asgiref cancels the application when a receive times out, so this only ever waits for
    answers it knows are coming.)
    """
    received: list[dict[str, Any]] = []
    in_flight: set[int] = set()

    async def take() -> bool:
        message = await communicator.receive_json_from(timeout=15)
        received.append(message)
        if message["type"] in ("frame_result", "frame_dropped"):
            in_flight.discard(message["seq"])
        return message["type"] in (until, "result")

    started = time.monotonic()
    for seq, (t_ms, jpeg) in enumerate(jpeg_frames(clip, fps=fps)):
        delay = t_ms / 1000 - (time.monotonic() - started)
        if delay > 0:
            await asyncio.sleep(delay)
        while len(in_flight) >= 2:
            if await take():
                return received
        await communicator.send_json_to({"type": "frame", "seq": seq, "image": b64(jpeg)})
        in_flight.add(seq)
    while in_flight:
        if await take():
            return received
    return received


async def test_it_refuses_an_unknown_token() -> None:
    communicator = WebsocketCommunicator(application, "/ws/active-liveness/nope", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_output(timeout=5))["code"] == 4404


async def test_it_refuses_a_foreign_origin() -> None:
    session = await _session()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/active-liveness/{session.page_token}",
        headers=[(b"origin", b"https://evil.example")],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_finished_or_expired_session_closes_with_4410() -> None:
    for status in (SessionStatus.FINISHED, SessionStatus.CANCELLED):
        session = await _session(status=status)
        communicator = WebsocketCommunicator(
            application, f"/ws/active-liveness/{session.page_token}", headers=ORIGIN
        )
        await communicator.connect()
        assert (await communicator.receive_output(timeout=5))["code"] == 4410
    expired = await _session(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    communicator = WebsocketCommunicator(
        application, f"/ws/active-liveness/{expired.page_token}", headers=ORIGIN
    )
    await communicator.connect()
    assert (await communicator.receive_output(timeout=5))["code"] == 4410
    assert (await _refresh(expired)).status == SessionStatus.EXPIRED


async def test_it_greets_with_the_state_and_never_reveals_the_gestures() -> None:
    session = await _session(gestures=["HEAD_UP", "HEAD_LEFT"], number_of_gestures=2)
    communicator = await _connect(session)
    state = await communicator.receive_json_from()
    assert state == {
        "type": "state",
        "phase": "ready",
        "attempt": 1,
        "max_attempts": 3,
        "total": 2,
        "completed": 0,
        "challenge": None,
    }
    await communicator.disconnect()


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        '["a list"]',
        '{"type": "dance"}',
        '{"type": "frame", "seq": -1, "image": "AAAA"}',
        '{"type": "frame", "seq": 1, "image": "!!!"}',
        '{"type": "frame", "seq": "1", "image": "AAAA"}',
    ],
)
async def test_bad_messages_get_an_error_and_change_nothing(bad: str) -> None:
    session = await _session()
    communicator = await _connect(session)
    await communicator.receive_json_from()
    await communicator.send_to(text_data=bad)
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error" and answer["code"] == "bad_message"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_a_frame_that_is_not_an_image_is_dropped_not_fatal() -> None:
    session = await _session()
    communicator = await _started(session)
    await communicator.send_json_to(
        {"type": "frame", "seq": 0, "image": b64(b"plain text, not a jpeg")}
    )
    answer = await communicator.receive_json_from(timeout=10)
    assert answer["type"] == "frame_dropped" and answer["seq"] == 0
    await communicator.disconnect()


async def test_frames_before_start_are_not_analysed() -> None:
    session = await _session()
    communicator = await _connect(session)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "frame", "seq": 0, "image": "AAAA"})
    assert (await communicator.receive_json_from())["reason"] == "paused"
    await communicator.disconnect()


async def test_a_second_connection_takes_the_session_over() -> None:
    session = await _session()
    first = await _connect(session)
    await first.receive_json_from()
    second = await _connect(session)
    await second.receive_json_from()
    assert await first.receive_json_from() == {"type": "replaced"}
    assert (await first.receive_output(timeout=5))["code"] == 4409
    await second.disconnect()


async def test_the_back_button_cancels_and_redirects_to_cancel_url() -> None:
    session = await _session(cancel_url="https://m.example/back?x=1")
    communicator = await _connect(session)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "cancel"})
    result = await communicator.receive_json_from()
    assert result == {
        "type": "result",
        "outcome": "cancelled",
        "redirect_url": f"https://m.example/back?x=1&sid={session.sid}",
    }
    assert (await _refresh(session)).status == SessionStatus.CANCELLED


async def test_without_cancel_url_there_is_no_cancelling() -> None:
    session = await _session(cancel_url="")
    communicator = await _connect(session)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "cancel"})
    assert (await communicator.receive_json_from())["type"] == "error"
    assert (await _refresh(session)).status == SessionStatus.PENDING
    await communicator.disconnect()


@pytest.mark.slow
async def test_a_real_mouth_opening_passes_and_the_verdict_is_committed_first(
    shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = await _session(gestures=["HEAD_OPEN_MOUTH"], success_url="https://m.example/ok")
    communicator = await _started(session)
    messages = await _stream(communicator, shared_data / "videos" / "lp_d18_mouth_open.mp4")
    kinds = [m["type"] for m in messages]
    assert "challenge" in kinds
    challenge = next(m for m in messages if m["type"] == "challenge")["challenge"]
    assert challenge["gesture"] == "HEAD_OPEN_MOUTH" and challenge["index"] == 0
    result = messages[-1]
    assert result == {
        "type": "result",
        "outcome": "passed",
        "redirect_url": f"https://m.example/ok?sid={session.sid}",
    }
    saved = await _refresh(session)
    assert saved.status == SessionStatus.FINISHED
    assert saved.result["status"] == "success"
    assert saved.result["result"]["gestures"][0]["gesture_status"] == "MATCH"
    # Passive anti-spoofing ran on sampled frames of the live run and found a live face.
    assert saved.result["result"]["passive"]["status"] == "LOW"
    assert saved.result["result"]["passive"]["spoof_percentage"] < 0.25
    assert len(saved.run_state["passive"]["scores"]) >= 3
    kinds_saved = await database_sync_to_async(
        lambda: sorted(saved.images.values_list("kind", flat=True))
    )()
    assert "reference" in kinds_saved and "audit" in kinds_saved
    samples = await database_sync_to_async(
        lambda: [x for chunk in saved.timeline.all() for x in chunk.samples]
    )()
    assert len(samples) >= 10
    assert {"t", "yaw", "pitch", "mouth", "eye_left", "guidance", "phase"} <= set(samples[-1])
    assert max(s["mouth"] for s in samples if s["mouth"] is not None) > 0.3
    scored = [s["live"] for s in samples if s.get("live") is not None]
    assert 3 <= len(scored) < len(samples) / 2  # sampled, not every frame
    verdicts = await database_sync_to_async(
        lambda: list(saved.events.filter(kind="verdict").values_list("data", flat=True))
    )()
    assert verdicts == [saved.result]  # one verdict in the audit trail: the committed one


@pytest.mark.slow
async def test_a_still_face_never_passes_a_head_turn(
    shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = await _session(gestures=["HEAD_LEFT"])
    communicator = await _started(session)
    messages = await _stream(communicator, shared_data / "videos" / "lp_d0_still.mp4")
    assert not any(m["type"] == "result" and m["outcome"] == "passed" for m in messages)
    assert (await _refresh(session)).status == SessionStatus.PENDING
    await communicator.disconnect()


@pytest.mark.slow
async def test_a_reconnect_resumes_after_the_last_passed_challenge(
    shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = await _session(gestures=["HEAD_OPEN_MOUTH", "HEAD_DOWN"], number_of_gestures=2)
    communicator = await _started(session)
    messages = await _stream(
        communicator, shared_data / "videos" / "lp_d18_mouth_open.mp4", until="challenge_passed"
    )
    assert messages[-1] == {"type": "challenge_passed", "index": 0}
    await communicator.disconnect()

    again = await _connect(session)
    state = await again.receive_json_from()
    assert state["phase"] == "positioning"  # started before: no hint screen again
    assert state["completed"] == 1 and state["attempt"] == 1 and state["total"] == 2
    saved = await _refresh(session)
    assert saved.current_index == 1 and saved.status == SessionStatus.PENDING
    messages = await _stream(
        again, shared_data / "videos" / "lp_d18_mouth_open.mp4", until="challenge"
    )
    assert messages[-1]["challenge"]["gesture"] == "HEAD_DOWN"
    assert messages[-1]["challenge"]["index"] == 1
    await again.disconnect()


async def test_past_capacity_a_new_run_is_told_busy_and_admitted_once_there_is_room(settings):
    from sessions.services import load

    load._register = load._Register()  # this test's own (embedded) register
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 1
    settings.LIVENESS_BUSY_RETRY_S = 3
    first = await _started(await _session())
    second = await _connect(await _session())
    greeting = await second.receive_json_from()
    assert greeting["phase"] == "ready"
    await second.send_json_to({"type": "start"})
    assert await second.receive_json_from() == {"type": "busy", "retry_in": 3}
    # Not started: its frames are not analysed, and the running session is untouched.
    await second.send_json_to({"type": "frame", "seq": 0, "image": "AAAA"})
    dropped = await second.receive_json_from()
    assert dropped == {"type": "frame_dropped", "seq": 0, "reason": "paused"}
    await first.send_json_to({"type": "ping"})
    assert await first.receive_json_from() == {"type": "pong"}
    # The running session ends its socket: its place goes to the one that waited.
    await first.disconnect()
    await second.send_json_to({"type": "start"})
    state = await second.receive_json_from()
    assert state["type"] == "state" and state["phase"] != "ready"
    assert load.load_current().active == 1
    await second.disconnect()
    assert load.load_current().active == 0


async def test_a_run_that_had_started_is_readmitted_whatever_the_load(settings):
    from sessions.services import load

    load._register = load._Register()
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 1
    session = await _session()
    running = await _started(session)
    await running.disconnect()  # its progress is saved: the run had started
    other = await _started(await _session())
    again = await _connect(session)  # a reload while the service is full
    state = await again.receive_json_from()
    assert state["type"] == "state" and state["phase"] != "ready"
    await again.send_json_to({"type": "start"})
    assert (await again.receive_json_from())["type"] == "state"
    assert load.load_current().active == 2
    await again.disconnect()
    await other.disconnect()
