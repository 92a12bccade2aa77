"""Writes to liveness sessions. Reads live in sessions.selectors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gestures.vocabulary import EventKind, SessionCreatedData, SessionDeletedData
from sessions.errors import NotFound
from sessions.gesture_codes import draw_gestures
from sessions.ids import parse_sid
from sessions.models import (
    ImageKind,
    LivenessSession,
    Merchant,
    SessionEvent,
    SessionImage,
    SessionKind,
    SessionStatus,
    WebhookEvent,
)
from sessions.ratelimit import rate_check
from sessions.services.credentials import digest
from sessions.services.verify import verify_image_check
from sessions.services.webhooks import session_webhook_record, webhook_deliveries_abandon

log = logging.getLogger(__name__)


def event_record(
    *, session: LivenessSession, kind: EventKind, data: Mapping[str, Any] | None = None
) -> None:
    """Append to the audit trail: `data` is what `gestures.vocabulary.EVENT_DATA` says an
    event of this kind holds. A kind outside `EventKind` raises ValueError, never lands."""
    SessionEvent.objects.create(
        session=session, at=timezone.now(), kind=EventKind(kind).value, data=dict(data or {})
    )


def session_create(
    *,
    merchant: Merchant,
    success_url: str,
    cancel_url: str = "",
    number_of_gestures: int = 1,
    gestures: list[str] | None = None,
    expires_in: int | None = None,
    device_correlation_id: str = "",
    webhook_url: str = "",
    page_origin: str = "",
    verify_image: bytes | None = None,
    kind: SessionKind = SessionKind.ACTIVE,
) -> LivenessSession:
    """Create a PENDING session; the challenge order is fixed here, on the server.

    A passive session (`kind`, CONTRACT §5) has no gestures: its page asks the user to hold
    still (`gestures.passive_session`), and `number_of_gestures` and `gestures` are ignored.

    `webhook_url` receives its end's event (CONTRACT §6); `page_origin` (scheme and host of
    the page URL the merchant was given) lets that event carry the same page `url`.
    `verify_image` (JPEG/PNG bytes) is the person the session must show
    (`sessions.services.verify`): checked before anything is written, kept as evidence."""
    _create_rate_check(merchant=merchant, device_correlation_id=device_correlation_id)
    verify_type = verify_image_check(data=verify_image) if verify_image is not None else None
    if kind == SessionKind.PASSIVE:
        chosen, requested = [], False
    elif gestures:
        chosen, requested = list(gestures), True
    else:
        chosen = draw_gestures(settings.LIVENESS_DEFAULT_GESTURE_POOL, number_of_gestures)
        requested = False
    lifetime = expires_in or settings.LIVENESS_SESSION_DEFAULT_EXPIRES_IN
    with transaction.atomic():
        session = LivenessSession.objects.create(
            merchant=merchant,
            kind=kind,
            success_url=success_url,
            cancel_url=cancel_url,
            number_of_gestures=len(chosen),
            gestures=chosen,
            gestures_requested=requested,
            expires_at=timezone.now() + timedelta(seconds=lifetime),
            device_correlation_id=device_correlation_id,
            webhook_url=webhook_url,
            page_origin=page_origin,
        )
        created: SessionCreatedData = {"number_of_gestures": len(chosen), "expires_in": lifetime}
        event_record(session=session, kind=EventKind.SESSION_CREATED, data=created)
        if verify_image is not None and verify_type is not None:
            SessionImage.objects.create(
                session=session,
                kind=ImageKind.VERIFY,
                image=ContentFile(
                    verify_image, name=f"{session.sid}-verify.{verify_type.rpartition('/')[2]}"
                ),
                content_type=verify_type,
                captured_at=timezone.now(),
            )
    return session


def _create_rate_check(*, merchant: Merchant, device_correlation_id: str) -> None:
    rate_check(
        key=f"create:m{merchant.pk}",
        limit=settings.LIVENESS_CREATE_RATE_PER_MINUTE,
        window_s=60,
        message="too many sessions created; slow down",
    )
    if device_correlation_id:
        rate_check(
            key=f"create:m{merchant.pk}:d{digest(device_correlation_id)}",
            limit=settings.LIVENESS_DEVICE_RATE_PER_HOUR,
            window_s=3600,
            message="too many sessions for this device_correlation_id",
        )


EXPIRE_BATCH = 1000


def sessions_expire_due(
    *, merchant: Merchant | None = None, sid: Any = None, page_token: str | None = None
) -> int:
    """Mark PENDING sessions whose time is up as EXPIRED; how many this call expired.

    Callers run it before the reads that must show the status (the API, the dashboard, the
    page), and the periodic sweep runs it for sessions nobody reads
    (`sessions.webhook_runner`). Each session is its own conditional update, and its
    `session_expired` event (and webhook) is written only when this call changed the row: two
    concurrent reads make one event, and a verdict committed in between makes none.
    """
    now = timezone.now()
    due = LivenessSession.objects.filter(
        status=SessionStatus.PENDING, expires_at__lte=now, deleted_at=None
    )
    if merchant is not None:
        due = due.filter(merchant=merchant)
    if sid is not None:
        parsed = parse_sid(sid)
        if parsed is None:
            return 0
        due = due.filter(pk=parsed)
    if page_token is not None:
        due = due.filter(page_token=page_token)
    expired = 0
    for candidate, webhook_url in list(due.values_list("sid", "webhook_url")[:EXPIRE_BATCH]):
        with transaction.atomic():
            updated = LivenessSession.objects.filter(
                pk=candidate, status=SessionStatus.PENDING, expires_at__lte=now
            ).update(status=SessionStatus.EXPIRED, finished_at=now)
            if updated:
                SessionEvent.objects.create(
                    session_id=candidate, at=now, kind=EventKind.SESSION_EXPIRED.value, data={}
                )
                if webhook_url:
                    session_webhook_record(session_id=candidate, event=WebhookEvent.SESSION_EXPIRED)
                expired += 1
    return expired


def session_delete(*, merchant: Merchant, sid: Any, kind: str = SessionKind.ACTIVE) -> None:
    """Revoke the page and delete stored images; the sid then answers 404.

    The row stays as a tombstone (status, times, audit trail) for the operator, but every
    merchant-facing read treats it as absent.
    """
    parsed = parse_sid(sid)
    if parsed is None:
        raise NotFound("session not found")
    with transaction.atomic():
        updated = LivenessSession.objects.filter(
            pk=parsed, merchant=merchant, kind=kind, deleted_at=None
        ).update(deleted_at=timezone.now())
        if not updated:
            raise NotFound("session not found")
        session = LivenessSession.objects.get(pk=parsed)
        files = [image.image for image in session.images.all()]
        session.images.all().delete()
        # Per-frame face measurements are biometric-derived: they go with the images.
        session.timeline.all().delete()
        deleted: SessionDeletedData = {"images": len(files)}
        event_record(session=session, kind=EventKind.SESSION_DELETED, data=deleted)
        webhook_deliveries_abandon(sid=session.sid)
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files: list[Any]) -> None:
    for f in files:
        try:
            f.storage.delete(f.name)
        except OSError:
            log.exception("could not delete image %s", f.name)
