"""The webhook sender alone (sessions/webhook_http.py): which addresses it refuses, and
what a hostile receiver on loopback (raw sockets) gets out of it: one deadline, 4 KiB."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
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
        ("::", "unspecified"),
        ("::127.0.0.1", "reserved"),
        ("64:ff9b::a00:1", "reserved"),
        ("2002:7f00:1::1", "6to4 address of a loopback"),
        ("2002:a00:1::1", "6to4 address of a private"),
        ("fec0::1", "site-local"),
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:5db8:d70e::1", None),
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


def _answer_204(conn: Any) -> None:
    conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


def _resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    # The resolver is the boundary: `merchant.test` resolves to these addresses, in this
    # order; anything else (the connect's own lookup of an address) as usual.
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "merchant.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(webhook_http.socket, "getaddrinfo", getaddrinfo)


def test_a_name_with_several_addresses_falls_back_to_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = _RawServer(_answer_204)
    port = server.listener.getsockname()[1]
    _resolving_to(monkeypatch, "127.0.0.2", "127.0.0.1")  # nobody listens on the first
    try:
        outcome = webhook_http.post(
            f"http://merchant.test:{port}/hook", b"{}", {}, timeout_s=5.0, allow_private=True
        )
    finally:
        server.close()
    assert outcome.status_code == 204, outcome


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving_to(monkeypatch, "93.184.215.14", "10.0.0.1")
    outcome = webhook_http.post(
        "https://merchant.test/hook", b"{}", {}, timeout_s=2.0, allow_private=False
    )
    assert outcome.final and "private" in outcome.error
    assert "10.0.0.1" not in outcome.error  # the merchant reads it: no map of our network


@pytest.mark.parametrize(
    "url",
    ["https://user@merchant.test/hook", "https://[::1/hook", f"https://{'a' * 70}.test/"],
)
def test_urls_that_cannot_be_sent_are_refused_for_good_not_raised(url: str) -> None:
    outcome = webhook_http.post(url, b"{}", {}, timeout_s=2.0, allow_private=True)
    assert outcome.final and outcome.error.startswith("refused:")


def test_the_host_header_names_the_host_without_the_default_port() -> None:
    deadline = time.monotonic() + 5
    https = webhook_http._PinnedConnection("https", "merchant.test", 443, ["1.1.1.1"], deadline)
    https.putrequest("POST", "/hook")
    other = webhook_http._PinnedConnection("https", "merchant.test", 8443, ["1.1.1.1"], deadline)
    other.putrequest("POST", "/hook")
    assert b"Host: merchant.test" in https._buffer
    assert b"Host: merchant.test:8443" in other._buffer


def test_names_whose_dns_never_answers_do_not_hold_up_other_deliveries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.getaddrinfo
    release = threading.Event()

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "hung.test":  # a merchant's DNS server that never answers
            release.wait(timeout=10)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(webhook_http.socket, "getaddrinfo", getaddrinfo)
    hung = [
        threading.Thread(
            target=webhook_http.post,
            args=("http://hung.test/hook", b"{}", {}),
            kwargs={"timeout_s": 0.5, "allow_private": True},
        )
        for _ in range(8)
    ]
    for thread in hung:
        thread.start()
    for thread in hung:
        thread.join()
    server = _RawServer(_answer_204)
    try:
        outcome = webhook_http.post(server.url, b"{}", {}, timeout_s=2.0, allow_private=True)
    finally:
        server.close()
        release.set()
    assert outcome.status_code == 204, outcome


@pytest.fixture
def tls_merchant(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A TLS receiver on 127.0.0.1 with a certificate for `merchant.test` from a test CA that
    the sender trusts; `merchant.test` and `other.test` both resolve to it. Yields the port
    and the SNI names it was asked for."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=test ca")  # fmt: skip
    openssl("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=merchant.test")
    (tmp_path / "ext").write_text("subjectAltName=DNS:merchant.test\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "leaf.pem", "-days", "1", "-extfile", "ext")  # fmt: skip
    real_context = ssl.create_default_context
    monkeypatch.setattr(
        webhook_http.ssl,
        "create_default_context",
        lambda *a, **k: real_context(cafile=str(tmp_path / "ca.pem")),
    )
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host in ("merchant.test", "other.test"):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhook_http.socket, "getaddrinfo", getaddrinfo)
    server_context = real_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError), conn:
                tls = server_context.wrap_socket(conn, server_side=True)
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], names
    listener.close()


def test_tls_to_the_checked_address_still_verifies_the_url_host(tls_merchant: Any) -> None:
    port, names = tls_merchant
    ok = webhook_http.post(f"https://merchant.test:{port}/h", b"{}", {}, timeout_s=5.0,
                           allow_private=True)  # fmt: skip
    assert ok.status_code == 204, ok
    assert names == ["merchant.test"]  # SNI is the URL's host, not the pinned address
    wrong = webhook_http.post(f"https://other.test:{port}/h", b"{}", {}, timeout_s=5.0,
                              allow_private=True)  # fmt: skip
    assert wrong.status_code is None and "certificate" in wrong.error.lower(), wrong


def _answer_204_after_a_while(conn: Any) -> None:
    time.sleep(1.2)
    conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


def test_an_answer_may_take_the_rest_of_the_deadline_whatever_the_connect_took(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three addresses share the connect budget (2 s / 3 for the first): the answer still gets
    # the whole deadline, not that share.
    server = _RawServer(_answer_204_after_a_while)
    port = server.listener.getsockname()[1]
    _resolving_to(monkeypatch, "127.0.0.1", "127.0.0.2", "127.0.0.3")
    try:
        outcome = webhook_http.post(
            f"http://merchant.test:{port}/hook", b"{}", {}, timeout_s=2.0, allow_private=True
        )
    finally:
        server.close()
    assert outcome.status_code == 204, outcome
