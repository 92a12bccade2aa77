"""Webhooks (CONTRACT §6): events written with the verdict, delivered until answered.

A transactional outbox. The service that ends a session calls `session_webhook_record` in
its own transaction, right after its conditional update: the `WebhookDelivery` row (and its
frozen body) commits with the status change or not at all. Only after the commit is a
delivery handed to whatever sends it (`sessions.webhook_runner.dispatch`: a Celery task, or
the embedded server's thread); if that hand-over is lost (a worker killed, Redis restarted),
the periodic sweep finds the row again. Deliveries are therefore at least once: a receiver
may see one twice (same `id`, same bytes), never a changed one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions import webhook_http
from sessions.errors import Conflict, NotFound
from sessions.ids import parse_sid, uuid7, webhook_secret
from sessions.models import (
    DeliveryStatus,
    LivenessSession,
    Merchant,
    SessionKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Liveness-Signature"
INTERRUPTED = "interrupted: the worker stopped before it recorded an answer"


# --- events -----------------------------------------------------------------------------


def webhook_event_record(
    *, merchant: Merchant, sid: uuid.UUID, url: str, event: WebhookEvent, data: dict[str, Any]
) -> WebhookDelivery:
    """Write one event's delivery; call it inside the transaction that ends the session.

    Any session kind: the caller shapes `data` (its session object). The body is frozen
    here, and the delivery is handed on only once the transaction commits.
    """
    now = timezone.now()
    delivery_id = uuid7()
    body = json.dumps(
        {
            "id": str(delivery_id),
            "type": WebhookEvent(event).value,
            "created": int(now.timestamp() * 1000),
            "data": data,
        },
        ensure_ascii=True,
        separators=(",", ":"),
    )
    delivery = WebhookDelivery.objects.create(
        id=delivery_id,
        merchant=merchant,
        sid=sid,
        event=WebhookEvent(event).value,
        url=url,
        body=body,
        created_at=now,
        next_attempt_at=now,
        retry_until=now + timedelta(seconds=settings.LIVENESS_WEBHOOK_RETRY_FOR_S),
    )
    transaction.on_commit(lambda: _hand_on(str(delivery_id)), robust=True)
    return delivery


def session_webhook_record(*, session_id: uuid.UUID, event: WebhookEvent) -> None:
    """A session (active or passive) that this transaction just ended: its event, if it has
    a URL."""
    session = LivenessSession.objects.select_related("merchant").get(pk=session_id)
    if not session.webhook_url:
        return
    webhook_event_record(
        merchant=session.merchant,
        sid=session.sid,
        url=session.webhook_url,
        event=event,
        data=_session_object(session),
    )


def _session_object(session: LivenessSession) -> dict[str, Any]:
    # The session object its API path answers (CONTRACT §1, or §5's passive one), shaped
    # where the API shapes it.
    from sessions.api.passive_sessions import passive_session_representations
    from sessions.api.serializers import session_representations
    from sessions.api.views import page_path

    url = (session.page_origin or settings.PUBLIC_BASE_URL) + page_path(session)
    shape = (
        passive_session_representations
        if session.kind == SessionKind.PASSIVE
        else session_representations
    )
    shaped: dict[str, Any] = shape([session], page_url=lambda _: url)[0]
    return shaped


def _hand_on(delivery_id: str) -> None:
    from sessions.webhook_runner import dispatch

    dispatch(delivery_id)


# --- one attempt ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    delivery: WebhookDelivery
    attempt_id: int
    lease_expires_at: datetime
    secret: str


def webhook_delivery_attempt(*, delivery_id: str) -> datetime | None:
    """Try a due delivery once; when it should be tried next (None: nothing to schedule).

    1. Claim it (`_claim`): one worker at a time, one delivery in flight per session.
    2. POST its frozen body, signed now with the merchant's current secret, outside any
       transaction (`sessions.webhook_http`: bounded in time, size and addresses).
    3. Record the attempt and the delivery's next state, if this worker still holds it.
    """
    claimed = _claim(delivery_id)
    if not isinstance(claimed, _Claim):
        return claimed
    delivery = claimed.delivery
    try:
        body = delivery.body.encode("ascii")
        outcome = webhook_http.post(
            delivery.url,
            body,
            {"Content-Type": "application/json", SIGNATURE_HEADER: sign(claimed.secret, body)},
            timeout_s=settings.LIVENESS_WEBHOOK_TIMEOUT_S,
            allow_private=settings.LIVENESS_WEBHOOK_ALLOW_PRIVATE,
        )
    except Exception as exc:
        # Recorded as a failed attempt: raising would leave the delivery held until its
        # lease ran out, then taken over and failing the same way, for ever.
        log.exception("delivery %s: attempt failed before an answer", delivery.pk)
        outcome = webhook_http.PostOutcome(None, f"internal error: {type(exc).__name__}", 0)
    return _record(claimed, outcome)


def sign(secret: str, body: bytes, *, at: int | None = None) -> str:
    """CONTRACT §6's header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _claim(delivery_id: str) -> _Claim | datetime | None:
    """Take a due delivery for one attempt, or say why not (its next time, or None).

    Every delivery of the session is locked first, so two workers claiming two events of one
    session go one after the other, and the second sees the first in flight. A DELIVERING
    row whose lease ran out lost its worker: its open attempt is marked interrupted and the
    delivery is taken over.
    """
    parsed = parse_sid(delivery_id)
    if parsed is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        sid = WebhookDelivery.objects.filter(pk=parsed).values_list("sid", flat=True).first()
        if sid is None:
            return None
        # In primary-key order, so two claimers of one session never lock each other's rows
        # in opposite orders (a deadlock). SQLite has no FOR UPDATE: its IMMEDIATE
        # transactions (settings) serialise the whole claim instead.
        siblings = list(WebhookDelivery.objects.select_for_update().filter(sid=sid).order_by("pk"))
        delivery = next(d for d in siblings if d.pk == parsed)
        if delivery.status in _OPEN and _session_deleted(sid):
            # The merchant deleted the session (and its evidence) after the event was written:
            # what is left unsent stays unsent (`session_delete` gives up on the rest).
            delivery.status = DeliveryStatus.FAILED
            delivery.lease_expires_at = None
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "lease_expires_at", "next_attempt_at"])
            return None
        if delivery.status == DeliveryStatus.DELIVERING:
            if delivery.lease_expires_at and delivery.lease_expires_at > now:
                return None  # another worker holds it
            delivery.attempts.filter(status_code=None, error="").update(error=INTERRUPTED)
            if now >= delivery.retry_until:
                # Its worker died on the last try of the window: the end, not another try
                # (else a delivery whose every attempt kills its worker would never end).
                delivery.status = DeliveryStatus.FAILED
                delivery.lease_expires_at = None
                delivery.next_attempt_at = None
                delivery.save(update_fields=["status", "lease_expires_at", "next_attempt_at"])
                return None
        elif delivery.status != DeliveryStatus.PENDING:
            return None
        elif delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery.next_attempt_at
        in_flight = [
            d
            for d in siblings
            if d.pk != parsed
            and d.status == DeliveryStatus.DELIVERING
            and d.lease_expires_at
            and d.lease_expires_at > now
        ]
        if in_flight:
            # Not due again before the sibling's lease ends: else every sweep (and, embedded,
            # every wake-up this answer causes) hands it on again at once, a busy loop.
            delivery.next_attempt_at = max(d.lease_expires_at or now for d in in_flight)
            delivery.save(update_fields=["next_attempt_at"])
            return delivery.next_attempt_at
        lease = now + timedelta(seconds=settings.LIVENESS_WEBHOOK_LEASE_S)
        delivery.status = DeliveryStatus.DELIVERING
        delivery.lease_expires_at = lease
        delivery.attempts_count += 1
        delivery.save(update_fields=["status", "lease_expires_at", "attempts_count"])
        attempt = WebhookAttempt.objects.create(delivery=delivery, started_at=now)
        secret = Merchant.objects.values_list("webhook_secret", flat=True).get(
            pk=delivery.merchant_id
        )
    return _Claim(delivery, attempt.pk, lease, secret)


_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)


def _session_deleted(sid: uuid.UUID) -> bool:
    return LivenessSession.objects.filter(pk=sid, deleted_at__isnull=False).exists()


def webhook_deliveries_abandon(*, sid: uuid.UUID) -> int:
    """Give up the session's deliveries not sent yet (its merchant deleted it); one in flight
    ends with its attempt, and its next claim gives it up. Call inside the deleting
    transaction."""
    return WebhookDelivery.objects.filter(sid=sid, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )


def _record(claim: _Claim, outcome: webhook_http.PostOutcome) -> datetime | None:
    delivery = claim.delivery
    now = timezone.now()
    next_at: datetime | None = None
    if outcome.delivered:
        state: dict[str, Any] = {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    elif outcome.final or now >= delivery.retry_until:
        state = {"status": DeliveryStatus.FAILED}
    else:
        next_at = now + timedelta(seconds=retry_delay(_attempts_in_window(delivery)))
        state = {"status": DeliveryStatus.PENDING}
    with transaction.atomic():
        WebhookAttempt.objects.filter(pk=claim.attempt_id).update(
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error[:300],
        )
        still_ours = WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status=DeliveryStatus.DELIVERING,
            lease_expires_at=claim.lease_expires_at,
        ).update(next_attempt_at=next_at, lease_expires_at=None, **state)
    if not still_ours:
        log.warning("delivery %s was taken over while this attempt ran", delivery.pk)
        return None
    if outcome.final:
        log.warning("delivery %s refused for good: %s", delivery.pk, outcome.error)
    return next_at


def _attempts_in_window(delivery: WebhookDelivery) -> int:
    # The backoff restarts with each retry window: a reviewer's re-send of a delivery that
    # failed thirty times is retried within a minute again (CONTRACT §6), not an hour later.
    opened = delivery.retry_until - timedelta(seconds=settings.LIVENESS_WEBHOOK_RETRY_FOR_S)
    return WebhookAttempt.objects.filter(delivery=delivery, started_at__gte=opened).count()


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling from the first
    delay, at most the cap, ±20 % so receivers coming back are not hit all at once."""
    first = settings.LIVENESS_WEBHOOK_RETRY_FIRST_S
    base = min(first * 2.0 ** max(attempts - 1, 0), settings.LIVENESS_WEBHOOK_RETRY_MAX_S)
    return float(base * random.uniform(0.8, 1.2))


# --- reviewers and merchants ------------------------------------------------------------


def webhook_delivery_resend(*, delivery_id: Any) -> WebhookDelivery:
    """Send a delivered or failed delivery again (same id, same body), with a new retry
    window; one still on its way is left alone."""
    parsed = parse_sid(delivery_id)
    if parsed is None:
        raise NotFound("delivery not found")
    now = timezone.now()
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(
            pk=parsed, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
        ).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            retry_until=now + timedelta(seconds=settings.LIVENESS_WEBHOOK_RETRY_FOR_S),
        )
        if not updated:
            if not WebhookDelivery.objects.filter(pk=parsed).exists():
                raise NotFound("delivery not found")
            raise Conflict("this delivery is still on its way")
        transaction.on_commit(lambda: _hand_on(str(parsed)), robust=True)
    return WebhookDelivery.objects.get(pk=parsed)


def merchant_webhook_secret_rotate(*, merchant: Merchant) -> str:
    """A new signing secret, in use from the next attempt on (retries of older events too,
    so a receiver that refused them while it still had the old secret gets them again)."""
    secret = webhook_secret()
    Merchant.objects.filter(pk=merchant.pk).update(webhook_secret=secret)
    return secret
