"""Per-gesture results and the verdict in GLAIR's result shape (CONTRACT section 1)."""

from __future__ import annotations

from typing import Any

from gestures import codes

GestureResult = dict[str, Any]


def gesture_result(
    gesture: str, status: str, detected: str | None, duration_ms: int | None
) -> GestureResult:
    return {
        "gesture": gesture,
        "gesture_status": status,
        "detected_gesture": detected,
        "duration_ms": duration_ms,
    }


def build_verdict(gestures: list[str], results: list[GestureResult | None]) -> dict[str, Any]:
    """`success` only when every gesture matched; the deciding entry is the first that did not
    (or the last one when all did). Gestures never reached are NOT_MATCH with nothing seen."""
    entries = [
        result or gesture_result(gesture, codes.NOT_MATCH, None, None)
        for gesture, result in zip(gestures, results, strict=True)
    ]
    failed = [e for e in entries if e["gesture_status"] != codes.MATCH]
    deciding = failed[0] if failed else entries[-1]
    return {
        "status": "failed" if failed else "success",
        "result": {
            "gesture_status": deciding["gesture_status"],
            "detected_gesture": deciding["detected_gesture"],
            "gestures": entries,
        },
    }
