"""Reads of liveness sessions, as a merchant sees them. Reads only: a caller that needs the
clock's EXPIRED status in what it reads runs `sessions_expire_due` first."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from sessions.errors import NotFound
from sessions.ids import parse_sid
from sessions.models import LivenessSession, Merchant, SessionEvent, SessionImage


def session_get(*, merchant: Merchant, sid: Any) -> LivenessSession:
    """This merchant's live (not deleted) session; anything else is NotFound, alike."""
    parsed = parse_sid(sid)
    if parsed is None:
        raise NotFound("session not found")
    try:
        return LivenessSession.objects.get(pk=parsed, merchant=merchant, deleted_at=None)
    except LivenessSession.DoesNotExist as exc:
        raise NotFound("session not found") from exc


def session_list(
    *, merchant: Merchant, start: uuid.UUID | None = None, top: int = 1000
) -> QuerySet[LivenessSession]:
    sessions = LivenessSession.objects.filter(merchant=merchant, deleted_at=None)
    if start is not None:
        sessions = sessions.filter(sid__gt=start)
    return sessions.order_by("sid")[:top]


def session_by_page_token(*, token: str) -> LivenessSession | None:
    """The session a page token opens, whatever its state (the caller decides what to show)."""
    if not token or len(token) > 64:
        return None
    return LivenessSession.objects.select_related("merchant").filter(page_token=token).first()


def session_images(*, merchant: Merchant, sid: Any) -> tuple[LivenessSession, list[SessionImage]]:
    session = session_get(merchant=merchant, sid=sid)
    return session, list(session.images.order_by("captured_at", "id"))


def session_image(*, merchant: Merchant, sid: Any, image_id: Any) -> SessionImage:
    session = session_get(merchant=merchant, sid=sid)
    try:
        return session.images.get(pk=int(image_id))
    except (ValueError, SessionImage.DoesNotExist) as exc:
        raise NotFound("image not found") from exc


def session_audit(*, merchant: Merchant, sid: Any) -> tuple[LivenessSession, list[SessionEvent]]:
    session = session_get(merchant=merchant, sid=sid)
    return session, list(session.events.order_by("at", "id"))
