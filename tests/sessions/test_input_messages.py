"""Bad input on the page's socket, in process: nested messages, origins, the frame-size check."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from glair_clone.asgi import application, page_origins, parse_origin
from sessions.checks import check_frame_fits_socket_message
from sessions.messages import (
    MessageError,
    decode_message,
    frame_message_bytes,
    largest_answered_frame,
)
from tests.support.factories import LivenessSessionFactory, make_merchant

DEEP = 100_000


# --- nesting ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP])
def test_a_deeply_nested_message_is_refused_before_decoding(text: str) -> None:
    with pytest.raises(MessageError):
        decode_message(text)


def test_a_flat_frame_message_of_a_megabyte_decodes() -> None:
    image = "A" * (1024 * 1024)
    text = '{"type": "frame", "seq": 1, "image": "' + image + '"}'
    assert decode_message(text)["image"] == image


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["[" * DEEP + "]" * DEEP, '{"type":' * DEEP + "1" + "}" * DEEP])
async def test_a_deeply_nested_message_is_a_bad_message_and_the_socket_stays(text: str) -> None:
    communicator = await _connected([_origin()])
    await communicator.send_to(text_data=text)
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error" and answer["code"] == "bad_message"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


# --- origins ------------------------------------------------------------------------------
def _origin(value: str = "http://testserver") -> tuple[bytes, bytes]:
    return (b"origin", value.encode())


async def _connected(headers: list[tuple[bytes, bytes]]) -> Any:
    """A communicator on a live session, past the origin check and the greeting."""
    session = await database_sync_to_async(
        lambda: LivenessSessionFactory(merchant=make_merchant().merchant)
    )()
    communicator = WebsocketCommunicator(
        application, f"/ws/active-liveness/{session.page_token}", headers=headers
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "state"
    return communicator


async def _accepted(headers: list[tuple[bytes, bytes]], scheme: str = "ws") -> bool:
    communicator = WebsocketCommunicator(application, "/ws/active-liveness/unknown", headers)
    communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return bool(connected)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        ("http://127.0.0.1:8000", True),
        ("HTTP://127.0.0.1:8000", True),
        ("http://127.0.0.1:8001", False),  # another port: another origin
        ("https://127.0.0.1:8000", False),  # another scheme
        ("http://127.0.0.1", False),
        ("http://localhost:8000", False),  # allowed host, but not the page's
        ("null", False),
        ("https://evil.example", False),
    ],
)
async def test_the_socket_takes_only_the_pages_own_origin(origin: str, accepted: bool) -> None:
    headers = [(b"host", b"127.0.0.1:8000"), _origin(origin)]
    assert await _accepted(headers) is accepted


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_socket_without_origin_is_refused() -> None:
    assert not await _accepted([(b"host", b"127.0.0.1:8000")])
    assert await _accepted([(b"host", b"127.0.0.1:8000"), _origin("http://127.0.0.1:8000")])


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_wss_takes_https_origins(settings: Any) -> None:
    headers = [(b"host", b"liveness.example"), _origin("https://liveness.example")]
    settings.ALLOWED_HOSTS = ["liveness.example"]
    assert await _accepted(headers, scheme="wss")
    assert not await _accepted(headers, scheme="ws")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_host_outside_allowed_hosts_gives_no_origin(settings: Any) -> None:
    headers = [(b"host", b"evil.example"), _origin("http://evil.example")]
    assert not await _accepted(headers)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_public_base_url_is_the_pages_origin(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://liveness.example:8443"
    host = (b"host", b"127.0.0.1:8000")
    assert await _accepted([host, _origin("https://liveness.example:8443")])
    assert not await _accepted([host, _origin("https://liveness.example")])
    assert not await _accepted([host, _origin("http://127.0.0.1:8000")])


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_configured_origins_are_allowed_too(settings: Any) -> None:
    settings.LIVENESS_ALLOWED_ORIGINS = ["https://shop.example"]
    host = (b"host", b"127.0.0.1:8000")
    assert await _accepted([host, _origin("https://shop.example:443")])
    assert not await _accepted([host, _origin("http://shop.example")])


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    scope = {
        "type": "websocket",
        "scheme": "ws",
        "headers": [(b"host", b"testserver"), (b"x-forwarded-proto", b"https")],
    }
    assert page_origins(scope) == {("https", "testserver", 443)}


def test_origins_compare_scheme_host_and_default_port() -> None:
    assert parse_origin("https://Example.com") == ("https", "example.com", 443)
    assert parse_origin("http://[::1]:8000") == ("http", "::1", 8000)
    for bad in ("null", "", "ftp://example.com", "https://example.com/path", "https://a:b"):
        assert parse_origin(bad) is None


# --- frame size against the server's message cap -------------------------------------------
def test_the_default_frame_limit_fits_the_servers_message_cap(settings: Any) -> None:
    assert check_frame_fits_socket_message() == []
    # A frame 25 % over the limit still arrives, so the page hears why it was refused.
    oversized = int(settings.LIVENESS_FRAME_MAX_BYTES * 1.25)
    assert frame_message_bytes(oversized) <= settings.LIVENESS_WS_MAX_MESSAGE_BYTES


def test_a_frame_limit_whose_message_exceeds_the_cap_is_refused(settings: Any) -> None:
    settings.LIVENESS_FRAME_MAX_BYTES = 2 * 1024 * 1024  # the old default
    errors = check_frame_fits_socket_message()
    assert [e.id for e in errors] == ["liveness.E040"]
    settings.LIVENESS_WS_MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # daphne started with a larger cap
    assert check_frame_fits_socket_message() == []


def test_largest_answered_frame_is_the_inverse_of_the_message_size() -> None:
    cap = 1024 * 1024
    largest = largest_answered_frame(cap)
    assert frame_message_bytes(largest) <= cap < frame_message_bytes(largest + 3)
