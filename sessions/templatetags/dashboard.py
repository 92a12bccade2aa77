from __future__ import annotations

from django import template

from sessions.models import ReviewDecision

register = template.Library()


@register.filter
def decision_label(value: str) -> str:
    """`NEEDS_FOLLOW_UP` -> `Needs follow-up`; unknown values as they are."""
    return str(ReviewDecision(value).label) if value in ReviewDecision.values else value
