"""A passive session's page socket against the real routing, engine and models, on real data:
a real face held in view passes; a printed photo held still fails as a spoof."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from glair_clone.asgi import application
from sessions.models import LivenessSession, SessionKind, SessionStatus, WebhookDelivery
from tests.sessions.test_socket import ORIGIN, _refresh, _stream
from tests.support.clips import b64
from tests.support.factories import LivenessSessionFactory, make_merchant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _passive_session(**kwargs: Any) -> LivenessSession:
    def make() -> LivenessSession:
        merchant = make_merchant().merchant
        return LivenessSessionFactory(
            merchant=merchant, kind=SessionKind.PASSIVE, gestures=[], number_of_gestures=0,
            **kwargs,
        )  # fmt: skip

    return await database_sync_to_async(make)()


async def _started(session: LivenessSession) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    communicator = WebsocketCommunicator(
        application, f"/ws/passive-liveness/{session.page_token}", headers=ORIGIN
    )
    connected, _ = await communicator.connect()
    assert connected
    greeting = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "start"})
    started = await communicator.receive_json_from()
    assert greeting["phase"] == "ready" and greeting["total"] == 0
    return communicator, started


def _photo_frames(photo: Path, seconds: float, fps: float = 10) -> Iterator[tuple[int, bytes]]:
    """One photo as the page would send it (480 px wide JPEG), `fps` times a second."""
    bgr = cv2.imread(str(photo))
    height = int(bgr.shape[0] * 480 / bgr.shape[1])
    ok, jpeg = cv2.imencode(".jpg", cv2.resize(bgr, (480, height), interpolation=cv2.INTER_AREA))
    assert ok
    for i in range(int(seconds * fps)):
        yield round(i * 1000 / fps), jpeg.tobytes()


async def _send_photo(communicator: WebsocketCommunicator, frames: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    in_flight: set[int] = set()
    loop = asyncio.get_running_loop()
    started = loop.time()
    for seq, (t_ms, jpeg) in enumerate(frames):
        await asyncio.sleep(max(0.0, t_ms / 1000 - (loop.time() - started)))
        while len(in_flight) >= 2:
            message = await communicator.receive_json_from(timeout=15)
            received.append(message)
            in_flight.discard(message.get("seq", -1))
            if message["type"] == "result":
                return received
        await communicator.send_json_to({"type": "frame", "seq": seq, "image": b64(jpeg)})
        in_flight.add(seq)
    return received


async def test_a_real_face_held_in_view_passes_with_a_live_verdict(
    shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.LIVENESS_WEBHOOK_ALLOW_PRIVATE = True
    session = await _passive_session(
        success_url="https://m.example/ok", webhook_url="http://127.0.0.1:9/hook"
    )
    communicator, started = await _started(session)
    assert started["phase"] == "hold" and started["hold"]["progress"] == 0.0
    # 18 s of a frontal woman who blinks: time enough for the hold on a loaded machine too.
    messages = await _stream(communicator, shared_data / "videos" / "lp_d14_blinks.mp4")
    holds = [m["hold"]["progress"] for m in messages if m.get("hold")]
    assert holds and max(holds) > 0.5
    assert not any(m["type"] == "challenge" for m in messages)
    assert messages[-1] == {
        "type": "result",
        "outcome": "passed",
        "redirect_url": f"https://m.example/ok?sid={session.sid}",
    }
    saved = await _refresh(session)
    assert saved.status == SessionStatus.FINISHED
    assert saved.result["status"] == "success"
    assert saved.result["result"]["status"] == "LOW"
    assert set(saved.result["result"]) == {"spoof_percentage", "status"}
    assert saved.result["result"]["spoof_percentage"] < 0.25
    kinds = await database_sync_to_async(
        lambda: sorted(saved.images.values_list("kind", flat=True))
    )()
    assert kinds == ["audit", "reference"]
    samples = await database_sync_to_async(
        lambda: [x for chunk in saved.timeline.all() for x in chunk.samples]
    )()
    scored = [s["live"] for s in samples if s.get("live") is not None]
    # The run asks for every frame; the window keeps one scored frame in flight at a time.
    assert len(scored) >= max(5, len(samples) / 2)
    events = await database_sync_to_async(
        lambda: list(saved.events.values_list("kind", flat=True))
    )()
    assert events.count("verdict") == 1 and "started" in events
    deliveries = await database_sync_to_async(
        lambda: list(WebhookDelivery.objects.filter(sid=saved.sid).values_list("event", flat=True))
    )()
    assert deliveries == ["session.finished"]  # written with the verdict


async def test_a_printed_photo_held_still_fails_as_a_spoof(
    shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    session = await _passive_session(
        success_url="https://m.example/ok", cancel_url="https://m.example/back"
    )
    communicator, _ = await _started(session)
    photo = shared_data / "spoof" / "silent_face" / "image_F1.jpg"
    messages = await _send_photo(communicator, _photo_frames(photo, seconds=8))
    result = messages[-1]
    assert result["type"] == "result", [m["type"] for m in messages][-5:]
    assert result["outcome"] == "failed"
    assert result["redirect_url"] == f"https://m.example/back?sid={session.sid}"
    saved = await _refresh(session)
    assert saved.status == SessionStatus.FINISHED
    assert saved.result["status"] == "failed"
    assert saved.result["result"]["status"] == "HIGH"
    assert saved.result["result"]["reason"] == "SPOOF_SUSPECTED"
    assert saved.result["result"]["spoof_percentage"] >= 0.7
