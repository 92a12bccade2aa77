"""Writes made while the end user is on the page: progress, evidence, verdicts.

Every status change is a conditional update on PENDING, so two processes (two tabs, a late
frame, the expiry check) can never both decide: the first one wins, the others see 0 rows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sessions.models import (
    ImageKind,
    LivenessSession,
    SessionImage,
    SessionStatus,
    TimelineChunk,
)
from sessions.services.sessions import event_record

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


def session_progress_save(
    *, session: LivenessSession, run_state: dict[str, Any], current_index: int, attempts_used: int
) -> None:
    LivenessSession.objects.filter(pk=session.pk, status=SessionStatus.PENDING).update(
        run_state=run_state, current_index=current_index, attempts_used=attempts_used
    )


def session_finish(*, session: LivenessSession, verdict: dict[str, Any]) -> bool:
    """Commit the engine's verdict. False when the session was already decided elsewhere."""
    with transaction.atomic():
        updated = LivenessSession.objects.filter(
            pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
        ).update(status=SessionStatus.FINISHED, result=verdict, finished_at=timezone.now())
        if updated:
            event_record(session=session, kind="verdict", data=verdict)
    return bool(updated)


def session_cancel(*, session: LivenessSession) -> bool:
    with transaction.atomic():
        updated = LivenessSession.objects.filter(
            pk=session.pk, status=SessionStatus.PENDING, deleted_at=None
        ).update(status=SessionStatus.CANCELLED, finished_at=timezone.now())
        if updated:
            event_record(session=session, kind="session_cancelled")
    return bool(updated)


def session_image_save(
    *, session: LivenessSession, kind: str, jpeg: bytes, challenge_index: int | None = None
) -> SessionImage | None:
    """Keep the reference frame (one, the best so far replaces it) or an audit frame (≤ 4)."""
    with transaction.atomic():
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


def session_timeline_append(*, session: LivenessSession, samples: list[dict[str, Any]]) -> None:
    if samples:
        TimelineChunk.objects.create(session=session, samples=samples)
