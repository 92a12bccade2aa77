"""Reads of liveness sessions, as a merchant sees them. Reads only: a caller that needs the
clock's EXPIRED status in what it reads runs `sessions_expire_due` first."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from sessions.errors import NotFound
from sessions.ids import parse_sid
from sessions.models import (
    DeliveryStatus,
    LivenessSession,
    Merchant,
    SessionEvent,
    SessionImage,
    SessionKind,
    WebhookAttempt,
    WebhookDelivery,
)


def session_get(*, merchant: Merchant, sid: Any, kind: str = SessionKind.ACTIVE) -> LivenessSession:
    """This merchant's live (not deleted) session of this kind (the API path's: an active
    sid on the passive path is no session there); anything else is NotFound, alike."""
    parsed = parse_sid(sid)
    if parsed is None:
        raise NotFound("session not found")
    try:
        return LivenessSession.objects.get(pk=parsed, merchant=merchant, kind=kind, deleted_at=None)
    except LivenessSession.DoesNotExist as exc:
        raise NotFound("session not found") from exc


def session_list(
    *,
    merchant: Merchant,
    start: uuid.UUID | None = None,
    top: int = 1000,
    kind: str = SessionKind.ACTIVE,
) -> QuerySet[LivenessSession]:
    sessions = LivenessSession.objects.filter(merchant=merchant, kind=kind, deleted_at=None)
    if start is not None:
        sessions = sessions.filter(sid__gt=start)
    return sessions.order_by("sid")[:top]


def session_by_page_token(*, token: str) -> LivenessSession | None:
    """The session a page token opens, whatever its state (the caller decides what to show)."""
    if not token or len(token) > 64:
        return None
    return LivenessSession.objects.select_related("merchant").filter(page_token=token).first()


def session_images(
    *, merchant: Merchant, sid: Any, kind: str = SessionKind.ACTIVE
) -> tuple[LivenessSession, list[SessionImage]]:
    session = session_get(merchant=merchant, sid=sid, kind=kind)
    return session, list(session.images.order_by("captured_at", "id"))


def session_image(
    *, merchant: Merchant, sid: Any, image_id: Any, kind: str = SessionKind.ACTIVE
) -> SessionImage:
    session = session_get(merchant=merchant, sid=sid, kind=kind)
    try:
        return session.images.get(pk=int(image_id))
    except (ValueError, SessionImage.DoesNotExist) as exc:
        raise NotFound("image not found") from exc


def session_audit(
    *, merchant: Merchant, sid: Any, kind: str = SessionKind.ACTIVE
) -> tuple[LivenessSession, list[SessionEvent]]:
    session = session_get(merchant=merchant, sid=sid, kind=kind)
    return session, list(session.events.order_by("at", "id"))


# --- webhooks ---------------------------------------------------------------------------

SWEEP_BATCH = 500


def _due(now: datetime.datetime) -> Q:
    # Waiting for its time, or held by a worker whose lease ran out (the worker died).
    pending = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    orphaned = Q(status=DeliveryStatus.DELIVERING, lease_expires_at__lte=now)
    return pending | orphaned


def webhook_deliveries_due(*, now: datetime.datetime, limit: int = SWEEP_BATCH) -> list[str]:
    """Ids of deliveries to attempt now, the longest waiting first."""
    due = WebhookDelivery.objects.filter(_due(now)).order_by("next_attempt_at", "created_at")
    return [str(pk) for pk in due.values_list("pk", flat=True)[:limit]]


def webhook_next_due() -> datetime.datetime | None:
    """When the next delivery becomes due (a retry's time, or a worker's lease's end)."""
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    at = pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    held = WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERING)
    lease = held.order_by("lease_expires_at").values_list("lease_expires_at", flat=True).first()
    times = [t for t in (at, lease) if t is not None]
    return min(times) if times else None


def webhook_deliveries(
    *, merchant: Merchant, sid: Any, kind: str = SessionKind.ACTIVE
) -> list[WebhookDelivery]:
    """This merchant's session's deliveries, oldest first, with their attempts; NotFound for
    a session that is not this merchant's (or deleted), as every merchant read."""
    session = session_get(merchant=merchant, sid=sid, kind=kind)
    return list(
        WebhookDelivery.objects.filter(merchant=merchant, sid=session.sid)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("attempts", WebhookAttempt.objects.order_by("started_at", "id")))
    )


def webhook_deliveries_of_session(*, sid: uuid.UUID) -> list[WebhookDelivery]:
    """Every delivery of a session with their attempts (the reviewers' dashboard)."""
    return list(
        WebhookDelivery.objects.filter(sid=sid)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("attempts", WebhookAttempt.objects.order_by("started_at", "id")))
    )
