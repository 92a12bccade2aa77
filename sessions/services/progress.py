"""Writes made while the end user is on the page: progress, evidence, verdicts.

Every status change is a conditional update on PENDING, so two processes (two tabs, a late
frame, the expiry check) can never both decide: the first one wins, the others see 0 rows.
Evidence (frames, timeline, progress) is written only while the session is PENDING and not
deleted, checked on the locked row in the write's own transaction: a page still open after
the session ended, or while the merchant deletes it, can never slip a frame in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gestures.vocabulary import EventKind, Verdict
from sessions.models import (
    ImageKind,
    LivenessSession,
    SessionImage,
    SessionStatus,
    TimelineChunk,
    WebhookEvent,
)
from sessions.services.sessions import event_record
from sessions.services.verify import verify_apply
from sessions.services.webhooks import session_webhook_record

MAX_AUDIT_IMAGES = 4


def redirect_with_sid(url: str, sid: Any) -> str:
    """`url` with `sid` added to its query, keeping whatever query the merchant put there."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sid"]
    query.append(("sid", str(sid)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def outcome_redirect(session: LivenessSession, *, passed: bool) -> str:
    """CONTRACT §3: success_url when passed; otherwise cancel_url when set, else success_url."""
    target = session.success_url if passed or not session.cancel_url else session.cancel_url
    return redirect_with_sid(target, session.sid)


def _takes_evidence(session: LivenessSession) -> bool:
    """Inside a transaction: lock the session's row if it is still PENDING and not deleted.

    The lock orders this write against `session_delete` (which deletes the evidence in its
    own transaction) and the verdict: whichever comes second sees what the first did.
    """
    still_open = LivenessSession.objects.select_for_update().filter(
        pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
    )
    return still_open.values_list("pk", flat=True).first() is not None


def session_progress_save(
    *, session: LivenessSession, run_state: dict[str, Any], current_index: int, attempts_used: int
) -> bool:
    updated = LivenessSession.objects.filter(
        pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
    ).update(run_state=run_state, current_index=current_index, attempts_used=attempts_used)
    return bool(updated)


def session_finish(*, session: LivenessSession, verdict: Verdict) -> bool:
    """Commit the engine's verdict. False when the session was already decided elsewhere.

    A session created with `verify_image` first compares its frames with it (outside the
    transaction: a few seconds of model work), which may fail the verdict."""
    verify_apply(session=session, verdict=verdict)
    with transaction.atomic():
        updated = LivenessSession.objects.filter(
            pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
        ).update(status=SessionStatus.FINISHED, result=verdict, finished_at=timezone.now())
        if updated:
            event_record(session=session, kind=EventKind.VERDICT, data=verdict)
            session_webhook_record(session_id=session.pk, event=WebhookEvent.SESSION_FINISHED)
    return bool(updated)


def session_cancel(*, session: LivenessSession) -> bool:
    with transaction.atomic():
        updated = LivenessSession.objects.filter(
            pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
        ).update(status=SessionStatus.CANCELLED, finished_at=timezone.now())
        if updated:
            event_record(session=session, kind=EventKind.SESSION_CANCELLED)
            session_webhook_record(session_id=session.pk, event=WebhookEvent.SESSION_CANCELLED)
    return bool(updated)


def session_image_save(
    *, session: LivenessSession, kind: ImageKind, jpeg: bytes, challenge_index: int | None = None
) -> SessionImage | None:
    """Keep the reference frame (one, the best so far replaces it) or an audit frame (≤ 4).

    None when nothing was kept: the session ended or was deleted, or has its audit frames.
    """
    with transaction.atomic():
        if not _takes_evidence(session):
            return None
        if kind == ImageKind.REFERENCE:
            for old in session.images.filter(kind=ImageKind.REFERENCE):
                old.image.delete(save=False)
                old.delete()
        elif session.images.filter(kind=ImageKind.AUDIT).count() >= MAX_AUDIT_IMAGES:
            return None
        name = f"{session.sid}-{kind}-{challenge_index if challenge_index is not None else 'r'}.jpg"
        return SessionImage.objects.create(
            session=session,
            kind=kind,
            challenge_index=challenge_index,
            image=ContentFile(jpeg, name=name),
            captured_at=timezone.now(),
        )


def session_timeline_append(*, session: LivenessSession, samples: list[dict[str, Any]]) -> bool:
    """Append per-frame samples; False when the session no longer takes evidence."""
    if not samples:
        return True
    with transaction.atomic():
        if not _takes_evidence(session):
            return False
        TimelineChunk.objects.create(session=session, samples=samples)
    return True
