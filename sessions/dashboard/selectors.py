"""Reads for reviewers: every merchant's sessions, except deleted ones (their evidence is gone).

Reads only: the views run `sessions_expire_due` first, so the clock's EXPIRED status shows."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from sessions.errors import NotFound
from sessions.ids import parse_sid
from sessions.models import LivenessSession, Merchant, SessionReview

# The verdict filter's value for sessions without a verdict (the others: a VerdictStatus).
NO_VERDICT = "none"


def reviewable_session_list(
    *,
    merchant: Merchant | None = None,
    kind: str = "",
    status: str = "",
    verdict: str = "",
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
) -> QuerySet[LivenessSession]:
    """Newest first, each with `review_decision`: the decision of its latest review, if any."""
    latest = SessionReview.objects.filter(session=OuterRef("pk")).order_by("-created_at", "-id")
    sessions = (
        LivenessSession.objects.filter(deleted_at=None)
        .select_related("merchant")
        .annotate(review_decision=Subquery(latest.values("decision")[:1]))
    )
    if merchant is not None:
        sessions = sessions.filter(merchant=merchant)
    if kind:
        sessions = sessions.filter(kind=kind)
    if status:
        sessions = sessions.filter(status=status)
    if verdict == NO_VERDICT:
        sessions = sessions.filter(result__isnull=True)
    elif verdict:
        sessions = sessions.filter(result__status=verdict)
    if created_from is not None:
        sessions = sessions.filter(created_at__date__gte=created_from)
    if created_to is not None:
        sessions = sessions.filter(created_at__date__lte=created_to)
    return sessions.order_by("-created_at", "-sid")


def reviewable_session_get(*, sid: Any) -> LivenessSession:
    parsed = parse_sid(sid)
    if parsed is None:
        raise NotFound("session not found")
    session = (
        LivenessSession.objects.select_related("merchant")
        .filter(pk=parsed, deleted_at=None)
        .first()
    )
    if session is None:
        raise NotFound("session not found")
    return session


def session_timeline_samples(*, session: LivenessSession) -> list[dict[str, Any]]:
    """Every per-frame sample of the session, in the order the frames were analysed."""
    samples: list[dict[str, Any]] = []
    for chunk in session.timeline.order_by("created_at", "id"):
        samples.extend(chunk.samples)
    return samples


def session_reviews(*, session: LivenessSession) -> list[SessionReview]:
    return list(session.reviews.select_related("reviewer").order_by("-created_at", "-id"))
