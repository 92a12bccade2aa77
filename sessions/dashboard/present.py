"""How the dashboard words what the audit trail and the result hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gestures.vocabulary import EventKind, Verdict
from sessions.dashboard.selectors import NO_VERDICT
from sessions.models import LivenessSession, SessionEvent, SessionImage, SessionKind

SUMMARY_MAX = 140


@dataclass
class EventRow:
    event: SessionEvent
    offset_s: float
    summary: str


@dataclass
class GestureRow:
    number: int
    gesture: str
    status: str
    detected: str
    duration_ms: int | None


def event_rows(events: list[SessionEvent]) -> list[EventRow]:
    start = events[0].at if events else None
    return [
        EventRow(e, round((e.at - start).total_seconds(), 2) if start else 0.0, event_summary(e))
        for e in events
    ]


def event_summary(event: SessionEvent) -> str:
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    number = data.get("index", -1) + 1 if isinstance(data.get("index"), int) else "?"
    kind = event.kind
    if kind == EventKind.CHALLENGE_STARTED:
        return f"challenge {number}: {data.get('gesture')} (attempt {data.get('attempt')})"
    if kind == EventKind.GESTURE_MATCHED:
        return f"challenge {number}: {data.get('gesture')} matched in {data.get('duration_ms')} ms"
    if kind == EventKind.GESTURE_FAILED:
        seen = data.get("detected_gesture")
        saw = f", saw {seen}" if seen else ""
        return f"challenge {number}: {data.get('gesture')} {data.get('gesture_status')}{saw}"
    if kind == EventKind.ATTEMPT_FAILED:
        return f"attempt {data.get('attempt')} failed, {data.get('attempts_left')} left"
    if kind == EventKind.VERDICT:
        # The committed verdict itself (sessions.services.progress.session_finish).
        # An active verdict says its deciding gesture's status; a passive one its band.
        result = event.data.get("result", {}) if isinstance(event.data, dict) else {}
        why = result.get("gesture_status") or result.get("status")
        return f"{event.data.get('status')} ({why})"
    if not data:
        return ""
    text = ", ".join(f"{k}: {v}" for k, v in data.items())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def gesture_rows(session: LivenessSession) -> list[GestureRow]:
    """One row per requested gesture, with its outcome once there is a verdict (which has one
    for every requested gesture, in order)."""
    verdict: Verdict | None = session.result
    outcomes = verdict["result"].get("gestures", []) if verdict is not None else []
    rows = []
    for i, gesture in enumerate(session.gestures):
        outcome = outcomes[i] if i < len(outcomes) else None
        rows.append(
            GestureRow(
                number=i + 1,
                gesture=gesture,
                status=outcome["gesture_status"] if outcome else "",
                detected=(outcome["detected_gesture"] or "") if outcome else "",
                duration_ms=outcome["duration_ms"] if outcome else None,
            )
        )
    return rows


def verdict_of(session: LivenessSession) -> str:
    """`success` or `failed` once FINISHED, else `none` (the list's verdict filter's values)."""
    verdict: Verdict | None = session.result
    return verdict["status"] if verdict is not None else NO_VERDICT


def passive_of(session: LivenessSession) -> str:
    """The session's anti-spoofing evidence in one line; a dash before the verdict, or when the
    run scored no frames (the check was off)."""
    verdict: Verdict | None = session.result
    if verdict is None:
        return "—"
    result: dict[str, Any] = dict(verdict["result"])
    # A passive session's result is the evidence itself (CONTRACT §5).
    evidence = result if session.kind == SessionKind.PASSIVE else result.get("passive")
    if not evidence:
        return "—"
    line = f"{evidence['status']} (spoof {evidence['spoof_percentage']})"
    return f"{line}: {result['reason']}" if "reason" in result else line


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@dataclass
class Frame:
    image: SessionImage
    caption: str


def audit_frames(session: LivenessSession, images: list[SessionImage]) -> list[Frame]:
    """Audit frames captioned with the challenge they were taken at."""
    frames = []
    for image in images:
        index = image.challenge_index
        gestures = session.gestures or []
        known = index is not None and 0 <= index < len(gestures)
        if session.kind == SessionKind.PASSIVE and index is not None:
            caption = f"Attempt {index + 1} · end of the hold"
        elif known and index is not None:
            caption = f"Challenge {index + 1} · {gestures[index]}"
        else:
            caption = "Audit frame"
        frames.append(Frame(image, caption))
    return frames
