"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glair_clone.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402

from sessions.routing import websocket_urlpatterns  # noqa: E402
from sessions.webhook_runner import EmbeddedScheduler  # noqa: E402

Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an `http(s)://host[:port]` origin; None for anything else."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def _headers(scope: dict[str, Any]) -> dict[bytes, str]:
    return {name.lower(): value.decode("latin1") for name, value in scope.get("headers", [])}


def _page_scheme(scope: dict[str, Any], headers: dict[bytes, str]) -> str:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:  # BEHIND_TLS_PROXY: the proxy says which scheme the browser used
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode()
        if headers.get(name, "").split(",")[0].strip().lower() == proxy[1]:
            return "https"
    return "https" if scope.get("scheme") == "wss" else "http"


def page_origins(scope: dict[str, Any]) -> set[Origin]:
    """The origins whose pages may open this socket.

    The page's own origin: PUBLIC_BASE_URL when set, else the socket request's Host (when
    ALLOWED_HOSTS allows it) with the scheme of the socket (ws -> http, wss -> https). Plus
    LIVENESS_ALLOWED_ORIGINS. A request without a Host header (no HTTP/1.1 client sends one
    without it; in-process ASGI test clients do) matches the ALLOWED_HOSTS names on the
    scheme's default port.
    """
    allowed = {o for o in map(parse_origin, settings.LIVENESS_ALLOWED_ORIGINS) if o}
    if settings.PUBLIC_BASE_URL:
        own = parse_origin(settings.PUBLIC_BASE_URL)
        return allowed | ({own} if own else set())
    headers = _headers(scope)
    scheme = _page_scheme(scope, headers)
    host = headers.get(b"host", "")
    if not host:
        names = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
        return allowed | {o for o in (parse_origin(f"{scheme}://{n}") for n in names) if o}
    domain, _ = split_domain_port(host)
    own = parse_origin(f"{scheme}://{host}")
    if own is None or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return allowed
    return allowed | {own}


class PageOriginValidator:
    """Lets a socket through only from the page's own origin (scheme, host and port) or a
    configured one. A missing or `null` Origin is refused: browsers always send it, and the
    page is the only client of this socket."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = parse_origin(_headers(scope).get(b"origin", ""))
        if origin is not None and origin in page_origins(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


# Embedded mode: this server process also runs the periodic job and delivers webhooks.
EmbeddedScheduler.start()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": PageOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
