"""One webhook POST to a merchant's server, safe against the server and against the URL.

Standard library only (http.client, socket, ssl, ipaddress). What a hostile URL or receiver
cannot do:

1. **Reach inside our network** (SSRF): the host is resolved once and every address it
   resolves to must be public (no loopback, private, link-local, metadata, shared, reserved,
   multicast or unspecified address, IPv4-mapped IPv6 included). The connection goes to that
   checked address itself, with the URL's host only as TLS SNI and `Host`, so a DNS answer
   that changes between the check and the connect (rebinding) changes nothing.
2. **Send us elsewhere**: redirects are answers like any other non-2xx; never followed.
3. **Hold a worker**: one deadline covers resolve, connect, TLS, send and reading the
   answer; at the deadline the socket is shut down whatever it was doing (a receiver that
   drips one byte a second gets no longer than one that says nothing).
4. **Flood us**: at most `MAX_ANSWER_BYTES` of the answer's body are read; http.client
   bounds the header lines.

`LIVENESS_WEBHOOK_ALLOW_PRIVATE` (the caller's `allow_private`) lifts 1. and allows `http`.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 4096
USER_AGENT = "glair-clone-webhooks/1"
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


@dataclass(frozen=True)
class PostOutcome:
    """What one attempt got: a status code, or an error; `final` when retrying cannot help."""

    status_code: int | None
    error: str
    duration_ms: int
    final: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Refused(Exception):
    """The URL or its addresses are not allowed: retrying would not change that."""


class _Failed(Exception):
    """This attempt failed (a timeout, a refused connection, bad TLS): worth retrying."""


def address_refusal(address: str) -> str | None:
    """Why a receiver at `address` is not allowed (None: it is a public address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            # 6to4 (2002::/16) counts as global, yet a host with a 6to4 route reaches the
            # IPv4 address inside it: that one must be public too.
            inner = address_refusal(str(ip.sixtofour))
            if inner:
                return f"a 6to4 address of {inner}"
        elif ip.is_site_local:  # fec0::/10, deprecated but still routable inside a site
            return "a site-local address"
    if ip in _METADATA:
        return "a cloud metadata address"
    for name in ("unspecified", "loopback", "link_local", "private", "multicast", "reserved"):
        if getattr(ip, f"is_{name}"):
            return f"a {name.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout_s: float,
    allow_private: bool,
) -> PostOutcome:
    """POST `body` to `url` once, within `timeout_s` all told; never raises for the network."""
    started = time.monotonic()
    deadline = started + timeout_s
    try:
        status = _post(url, body, headers, deadline=deadline, allow_private=allow_private)
    except Refused as exc:
        return PostOutcome(None, f"refused: {exc}", _ms_since(started), final=True)
    except _Failed as exc:
        return PostOutcome(None, str(exc), _ms_since(started))
    except Exception as exc:
        # A bug here must not leave the delivery held until its lease runs out, over and
        # over: it is one failed attempt like any other, retried within the window.
        log.exception("webhook POST failed unexpectedly")
        return PostOutcome(None, f"internal error: {type(exc).__name__}", _ms_since(started))
    return PostOutcome(status, "", _ms_since(started))


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _post(
    url: str, body: bytes, headers: dict[str, str], *, deadline: float, allow_private: bool
) -> int:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise Refused("the URL is not valid") from exc
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise Refused("only https URLs receive webhooks")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("the URL's port is not valid") from exc
    if not host:
        raise Refused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL carries credentials (user@host): they would not be sent")
    try:
        host.encode("idna")  # what getaddrinfo and TLS would do with it
    except UnicodeError as exc:
        raise Refused(f"{host[:80]} is not a valid host name") from exc
    target = _request_target(parts)
    addresses = _checked_addresses(host, port, deadline=deadline, allow_private=allow_private)
    conn = _PinnedConnection(scheme, host, port, addresses, deadline)
    watchdog = threading.Timer(_remaining(deadline), conn.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", target, body=body, headers={"User-Agent": USER_AGENT, **headers})
        answer = conn.getresponse()
        answer.read(MAX_ANSWER_BYTES)  # a bounded look: the receiver's body is not used
        return int(answer.status)
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline or isinstance(exc, TimeoutError):
            raise _Failed("timed out: no complete answer in time") from exc
        raise _Failed(f"{type(exc).__name__}: {exc}"[:200]) from exc
    finally:
        watchdog.cancel()
        conn.close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failed("timed out: no complete answer in time")
    return left


def _request_target(parts: SplitResult) -> str:
    """The path and query as sent: ASCII only (http.client refuses anything else), so a URL
    with a non-ASCII or space character is percent-encoded, as a browser would."""
    keep = "/%:@!$&'()*+,;=-._~"
    target = quote(parts.path or "/", safe=keep)
    if parts.query:
        target += "?" + quote(parts.query, safe=keep + "?")
    return target


def _checked_addresses(host: str, port: int, *, deadline: float, allow_private: bool) -> list[str]:
    """Resolve once; every address must be allowed (a name with one private address among
    public ones is refused: which one a connection would use is not ours to know). The
    connection tries them in the resolver's order (an IPv6 address first on a worker with
    no IPv6 route must not fail every attempt)."""
    try:
        infos = _resolve(host, port, timeout=_remaining(deadline))
    except socket.gaierror as exc:
        raise _Failed(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise _Failed(f"cannot resolve {host}")
    if not allow_private:
        for address in addresses:
            why = address_refusal(address)
            if why:
                # Not the address itself: the merchant reads this error (GET .../webhooks),
                # and internal DNS answers are not theirs to map.
                raise Refused(f"{host} resolves to {why}")
    return addresses


def _resolve(host: str, port: int, *, timeout: float) -> list[Any]:
    """getaddrinfo within `timeout`, on a thread of its own: a merchant whose DNS server
    never answers keeps that thread until the system resolver gives up, never a worker, and
    never a slot other deliveries wait for (a small shared pool let four such names make
    every other merchant's deliveries time out)."""
    answer: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:
            answer["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="webhook-resolve", daemon=True).start()
    if not done.wait(timeout):
        raise _Failed(f"timed out resolving {host}")
    if "error" in answer:
        raise answer["error"]
    infos: list[Any] = answer["infos"]
    return infos


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to already-checked addresses, whatever DNS says next. The URL's
    host is the TLS SNI name, the name the certificate must match, and the `Host` header
    (without the scheme's default port)."""

    def __init__(
        self, scheme: str, host: str, port: int, addresses: list[str], deadline: float
    ) -> None:
        self.default_port = 443 if scheme == "https" else 80
        super().__init__(host, port, timeout=_remaining(deadline))
        self._scheme = scheme
        self._addresses = addresses
        self._deadline = deadline
        self._lock = threading.Lock()

    def connect(self) -> None:
        sock = self._connect_to_one()
        with self._lock:
            self.sock = sock  # from here on the deadline can cut it, TLS handshake included
        if self._scheme == "https":
            context = ssl.create_default_context()
            wrapped = context.wrap_socket(sock, server_hostname=self.host)
            with self._lock:
                self.sock = wrapped

    def _connect_to_one(self) -> socket.socket:
        # Each checked address in turn, sharing what is left of the deadline (the watchdog
        # cannot cut a connect: there is no socket to shut down yet).
        error: OSError | None = None
        for index, address in enumerate(self._addresses):
            timeout = _remaining(self._deadline) / (len(self._addresses) - index)
            try:
                sock = socket.create_connection((address, self.port), timeout=timeout)
            except OSError as exc:
                error = exc
                continue
            # The connect's share was for the connect: the answer may take the whole rest.
            sock.settimeout(_remaining(self._deadline))
            return sock
        assert error is not None
        raise error

    def abort(self) -> None:
        """The deadline: unblock whatever read or write is waiting on the socket."""
        with self._lock:
            if self.sock is not None:
                with contextlib.suppress(OSError):
                    self.sock.shutdown(socket.SHUT_RDWR)
