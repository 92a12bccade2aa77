"""The webhook sender alone (sessions/webhook_http.py): which addresses it refuses, and
what a hostile receiver on loopback (raw sockets) gets out of it: one deadline, 4 KiB."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import pytest

from sessions import webhook_http
from sessions.webhook_http import address_refusal


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "metadata"),
        ("fe80::1", "link-local"),
        ("fc00::5", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("100.64.0.1", "public"),
        ("0.0.0.0", "unspecified"),
        ("93.184.215.14", None),
        ("2606:4700::6810:84e5", None),
    ],
)
def test_only_public_addresses_receive_webhooks(address: str, why: str | None) -> None:
    refusal = address_refusal(address)
    assert (refusal is None) if why is None else (why in (refusal or ""))


class _RawServer:
    """A hostile receiver on loopback speaking raw bytes: `reply(conn)` does the talking."""

    def __init__(self, reply: Any) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.reply = reply
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            with contextlib.suppress(OSError):  # the sender hung up, as it should
                self.reply(conn)

    def close(self) -> None:
        self.listener.close()


def _drip(conn: Any) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def _flood(conn: Any) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(1600):  # 100 MB, if anyone read it all
        conn.sendall(chunk)


def test_a_receiver_that_drips_its_answer_gets_the_deadline_not_more() -> None:
    server = _RawServer(_drip)
    try:
        outcome = webhook_http.post(server.url, b"{}", {}, timeout_s=1.0, allow_private=True)
    finally:
        server.close()
    assert outcome.status_code is None and "timed out" in outcome.error
    assert outcome.duration_ms < 2000  # one deadline for the whole answer, not per byte


def test_a_receiver_that_floods_its_answer_is_read_only_a_few_kib() -> None:
    server = _RawServer(_flood)
    try:
        outcome = webhook_http.post(server.url, b"{}", {}, timeout_s=5.0, allow_private=True)
    finally:
        server.close()
    assert outcome.delivered and outcome.duration_ms < 2000
