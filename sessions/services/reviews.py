"""Reviewers' decisions on sessions (CONTRACT §4)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sessions.errors import Conflict, InvalidInput, NotFound
from sessions.models import LivenessSession, ReviewDecision, SessionReview, SessionStatus

NOTE_MAX_LENGTH = 2000
NOTE_REQUIRED_FOR = (ReviewDecision.REJECTED, ReviewDecision.NEEDS_FOLLOW_UP)


def session_review_create(
    *, session: LivenessSession, reviewer: Any, decision: str, note: str = ""
) -> SessionReview:
    """Record a decision; the newest review is the session's current decision.

    A PENDING session has nothing to judge yet and a deleted one has no evidence left.
    """
    note = note.strip()
    if decision not in ReviewDecision.values:
        raise InvalidInput(f"unknown decision {decision!r}", field="decision")
    if decision in NOTE_REQUIRED_FOR and not note:
        label = ReviewDecision(decision).label.lower()
        raise InvalidInput(f"a note is required when the decision is {label}", field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"the note is longer than {NOTE_MAX_LENGTH} characters", field="note")
    with transaction.atomic():
        # Lock the row so the status read is the one the review is about.
        current = (
            LivenessSession.objects.select_for_update()
            .filter(pk=session.pk, deleted_at=None)
            .values_list("status", flat=True)
            .first()
        )
        if current is None:
            raise NotFound("session not found")
        if current == SessionStatus.PENDING:
            raise Conflict("the session is still pending: there is nothing to review yet")
        return SessionReview.objects.create(
            session=session, reviewer=reviewer, decision=decision, note=note
        )
