"""Bad input against a real daphne, started as in production (`daphne -b … -p …`, no flags):
the frame limit and the server's WebSocket message cap agree, so a frame just over the limit
gets the app's answer instead of a dropped connection."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
import websockets
from django.conf import settings

from tests.support.live import LiveServer
from tests.support.socket_client import run_in_thread

# What the server runs with: the defaults (tests/support/live.py passes no frame settings).
FRAME_MAX = settings.LIVENESS_FRAME_MAX_BYTES


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("input-live")) as live:
        yield live


@pytest.fixture(scope="module")
def shop(server: LiveServer) -> dict[str, str]:
    return server.create_merchant("Input Shop")


def padded_jpeg(size: int) -> bytes:
    """A valid 320x240 JPEG of exactly `size` bytes: comment segments after the SOI marker."""
    ok, encoded = cv2.imencode(".jpg", np.full((240, 320, 3), 128, np.uint8))
    assert ok
    jpeg = encoded.tobytes()
    pad, segments = size - len(jpeg), []
    while pad >= 4:
        body = min(pad - 4, 65533)
        segments.append(b"\xff\xfe" + (body + 2).to_bytes(2, "big") + b"c" * body)
        pad -= body + 4
    out = jpeg[:2] + b"".join(segments) + jpeg[2:]
    assert len(out) == size
    return out


def frame_message(seq: int, jpeg: bytes) -> str:
    return json.dumps({"type": "frame", "seq": seq, "image": base64.b64encode(jpeg).decode()})


async def _exchange(server: LiveServer, session: dict[str, Any], *sent: str) -> list[Any]:
    """Connect, press Start, send each message and read one answer to each, then ping."""
    url = server.ws_base + "/ws/" + session["url"].split("/face/", 1)[1]
    answers: list[Any] = []
    async with websockets.connect(url, origin=server.url, max_size=2**22) as ws:
        assert json.loads(await ws.recv())["type"] == "state"
        await ws.send(json.dumps({"type": "start"}))
        assert json.loads(await ws.recv())["type"] == "state"
        for message in sent:
            await ws.send(message)
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
        await ws.send(json.dumps({"type": "ping"}))
        answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    return answers


def test_a_frame_just_under_the_limit_is_analysed(server: LiveServer, shop: Any) -> None:
    session = server.create_session(shop)
    jpeg = padded_jpeg(FRAME_MAX - 16)
    answer, pong = run_in_thread(_exchange(server, session, frame_message(1, jpeg)))
    assert answer["type"] == "frame_result" and answer["seq"] == 1, answer
    assert answer["guidance"] == "no_face"
    assert pong == {"type": "pong"}


@pytest.mark.parametrize(
    "size", [FRAME_MAX + 1, FRAME_MAX + 3, FRAME_MAX + 4096, int(FRAME_MAX * 1.25)]
)
def test_a_frame_over_the_limit_gets_an_answer_and_the_socket_stays(
    server: LiveServer, shop: Any, size: int
) -> None:
    session = server.create_session(shop)
    answer, pong = run_in_thread(_exchange(server, session, frame_message(1, padded_jpeg(size))))
    # Refused by the app, in words the page understands: parsing (bad_message) or decoding
    # (frame_dropped too_large), depending on where base64 rounding puts the frame.
    assert (answer["type"], answer.get("code")) == ("error", "bad_message") or (
        answer["type"],
        answer.get("reason"),
    ) == ("frame_dropped", "too_large"), answer
    assert pong == {"type": "pong"}


def test_a_deeply_nested_message_is_a_bad_message(server: LiveServer, shop: Any) -> None:
    session = server.create_session(shop)
    nested = "[" * 100_000 + "]" * 100_000
    answer, pong = run_in_thread(_exchange(server, session, nested))
    assert answer["type"] == "error" and answer["code"] == "bad_message"
    assert pong == {"type": "pong"}


def test_a_page_on_another_port_cannot_open_the_socket(server: LiveServer, shop: Any) -> None:
    session = server.create_session(shop)
    url = server.ws_base + "/ws/" + session["url"].split("/face/", 1)[1]

    async def connect(origin: str) -> None:
        async with websockets.connect(url, origin=origin) as ws:  # type: ignore[arg-type]
            await ws.recv()

    with pytest.raises(websockets.InvalidStatus) as refused:
        run_in_thread(connect(f"http://127.0.0.1:{server.port + 1}"))
    assert refused.value.response.status_code == 403
    run_in_thread(connect(server.url))


def test_the_server_runs_with_the_documented_limits(server: LiveServer) -> None:
    # The README's figures are the ones this file tests: 512 KiB frames, daphne's 1 MiB cap;
    # `manage.py check` (E040) agrees they fit together.
    assert FRAME_MAX == 512 * 1024
    assert settings.LIVENESS_WS_MAX_MESSAGE_BYTES == 1024 * 1024
    assert "no issues" in server.manage("check")
