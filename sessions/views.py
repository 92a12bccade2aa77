"""HTML views: the prebuilt liveness page (CONTRACT §3)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sessions import selectors
from sessions.models import SessionKind, SessionStatus
from sessions.services.sessions import sessions_expire_due

SUPPORTED_LANGUAGES = ("en", "id")
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def page_language(request: HttpRequest) -> str:
    """`?lang=` wins, then the browser's Accept-Language, then English."""
    asked = request.GET.get("lang", "").lower()
    if asked in SUPPORTED_LANGUAGES:
        return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in SUPPORTED_LANGUAGES:
            return primary
        if primary == "in":  # the legacy ISO code for Indonesian, still sent by some phones
            return "id"
    return "en"


def _socket_url(request: HttpRequest, token: str, kind: str) -> str:
    path = f"/ws/{kind}-liveness/{token}"
    if settings.PUBLIC_BASE_URL:
        base = settings.PUBLIC_BASE_URL
        return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + path
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}{path}"


def _with_page_headers(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never leak it to the merchant's site through Referer.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = PAGE_CSP
    response["Permissions-Policy"] = "camera=(self), microphone=()"
    return response


@require_GET
def liveness_page(request: HttpRequest, token: str) -> HttpResponse:
    """An active session's page: `/face/active-liveness/<token>`."""
    return _page(request, token, SessionKind.ACTIVE)


@require_GET
def passive_liveness_page(request: HttpRequest, token: str) -> HttpResponse:
    """A passive session's page, `/face/passive-liveness/<token>`: the same page in its
    passive mode (hold still, a progress ring), CONTRACT §5."""
    return _page(request, token, SessionKind.PASSIVE)


def _page(request: HttpRequest, token: str, kind: SessionKind) -> HttpResponse:
    lang = page_language(request)
    if token and len(token) <= 64:
        sessions_expire_due(page_token=token)  # the page shows an expired link as ended
    session = selectors.session_by_page_token(token=token)
    if session is None or session.deleted_at is not None or session.kind != kind:
        context = {"lang": lang, "reason": "not_found"}
        return _with_page_headers(render(request, "liveness/ended.html", context, status=404))
    if session.status != SessionStatus.PENDING:
        reason = "expired" if session.status == SessionStatus.EXPIRED else "finished"
        context = {"lang": lang, "reason": reason}
        return _with_page_headers(render(request, "liveness/ended.html", context, status=410))
    context = {
        "session": session,
        "ws_url": _socket_url(request, token, kind),
        "mode": kind,
        "lang": lang,
        "cancel_url": session.cancel_url,
        "total": session.number_of_gestures,
        "max_attempts": settings.LIVENESS_MAX_ATTEMPTS,
        "page_debug": settings.LIVENESS_PAGE_DEBUG,
    }
    return _with_page_headers(render(request, "liveness/page.html", context))
