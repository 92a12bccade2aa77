"""How the dashboard words what the audit trail and the result hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sessions.models import LivenessSession, SessionEvent, SessionImage

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
    if kind == "challenge_started":
        return f"challenge {number}: {data.get('gesture')} (attempt {data.get('attempt')})"
    if kind == "gesture_matched":
        return f"challenge {number}: {data.get('gesture')} matched in {data.get('duration_ms')} ms"
    if kind == "gesture_failed":
        seen = data.get("detected_gesture")
        saw = f", saw {seen}" if seen else ""
        return f"challenge {number}: {data.get('gesture')} {data.get('gesture_status')}{saw}"
    if kind == "attempt_failed":
        return f"attempt {data.get('attempt')} failed, {data.get('attempts_left')} left"
    if kind == "verdict":
        verdict = data.get("verdict", data)
        status = (verdict.get("result") or {}).get("gesture_status", "")
        return f"{verdict.get('status')} ({status})" if status else str(verdict.get("status"))
    if not data:
        return ""
    text = ", ".join(f"{k}: {v}" for k, v in data.items())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def gesture_rows(session: LivenessSession) -> list[GestureRow]:
    """One row per requested gesture, with what the verdict says about it (if anything)."""
    results = ((session.result or {}).get("result") or {}).get("gestures") or []
    rows = []
    for i, gesture in enumerate(session.gestures or []):
        found = results[i] if i < len(results) and isinstance(results[i], dict) else {}
        rows.append(
            GestureRow(
                number=i + 1,
                gesture=str(gesture),
                status=str(found.get("gesture_status") or ""),
                detected=str(found.get("detected_gesture") or ""),
                duration_ms=found.get("duration_ms"),
            )
        )
    return rows


def verdict_of(session: LivenessSession) -> str:
    status = (session.result or {}).get("status")
    return status if status in ("success", "failed") else "none"


def passive_of(session: LivenessSession) -> str:
    """The session's anti-spoofing evidence in one line, or a dash before the verdict."""
    result = (session.result or {}).get("result") or {}
    passive = result.get("passive")
    if not isinstance(passive, dict):
        return "—"
    line = f"{passive.get('status')} (spoof {passive.get('spoof_percentage')})"
    return f"{line}: {result['reason']}" if result.get("reason") else line


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
        caption = f"Challenge {index + 1} · {gestures[index]}" if known else "Audit frame"
        frames.append(Frame(image, caption))
    return frames
