"""Per-gesture results and the verdict in GLAIR's result shape (CONTRACT section 1)."""

from __future__ import annotations

from typing import Any

from gestures import codes
from gestures.passive import HIGH, PROVEN_LIVE, SPOOF_SUSPECTED, PassiveSummary

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


def build_verdict(
    gestures: list[str],
    results: list[GestureResult | None],
    passive: PassiveSummary | None = None,
) -> dict[str, Any]:
    """`success` only when every gesture matched and the passive evidence is not HIGH; the
    deciding entry is the first that did not match (or the last one when all did). Gestures
    never reached are NOT_MATCH with nothing seen. Passive evidence other than LOW or MODERATE
    fails the session whatever its gestures did; HIGH says so with `reason: SPOOF_SUSPECTED`
    (CONTRACT section 1)."""
    entries = [
        result or gesture_result(gesture, codes.NOT_MATCH, None, None)
        for gesture, result in zip(gestures, results, strict=True)
    ]
    failed = [e for e in entries if e["gesture_status"] != codes.MATCH]
    deciding = failed[0] if failed else entries[-1]
    result: dict[str, Any] = {
        "gesture_status": deciding["gesture_status"],
        "detected_gesture": deciding["detected_gesture"],
        "gestures": entries,
    }
    if passive is None:
        return {"status": "failed" if failed else "success", "result": result}
    result["passive"] = {
        "spoof_percentage": passive["spoof_percentage"],
        "status": passive["status"],
    }
    live = passive["status"] in PROVEN_LIVE
    if passive["status"] == HIGH:
        result["gesture_status"] = codes.NOT_MATCH
        result["reason"] = SPOOF_SUSPECTED
    elif not live and not failed:
        # Gestures matched, but too few frames showed one face to judge: not proven live.
        result["gesture_status"] = codes.FACE_NOT_DETECTED
    return {"status": "failed" if failed or not live else "success", "result": result}
