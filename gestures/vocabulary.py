"""The words that cross layers, said once: the run's phases, the audit trail's event kinds, and
the shapes of events and of the verdict (CONTRACT section 1).

Standard library only: the engine, the workers, the server and the schema all import it. Every
value is the string the code and the stored rows already use, and a `StrEnum` member is that
string (`EventKind.VERDICT == "verdict"`), so rows written before these types existed read the
same and code that still types the strings keeps working.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypedDict


class Phase(StrEnum):
    """Every phase the page can be in, as the server tells it (`state`, `frame_result`)."""

    READY = "ready"  # before Start (an interactive run only)
    POSITIONING = "positioning"  # waiting for one still, frontal, well-lit face
    CHALLENGE = "challenge"  # a gesture is asked for, against its deadline
    BETWEEN = "between"  # the short pause after a matched gesture or a failed attempt
    ATTEMPT_FAILED = "attempt_failed"  # waiting for the user's "Try again"
    DONE = "done"  # the verdict is reached
    # A passive session's only phase between Start and the verdict: one still, frontal face
    # held for a few seconds (gestures.passive_session), with its progress.
    HOLD = "hold"


class EventKind(StrEnum):
    """What a `SessionEvent` records, in the order a session meets them."""

    SESSION_CREATED = "session_created"
    CONNECTED = "connected"  # a page opened the socket
    STARTED = "started"  # the user pressed Start
    # The engine's events (`Step.events`), recorded as they happen.
    CHALLENGE_STARTED = "challenge_started"
    GESTURE_MATCHED = "gesture_matched"
    GESTURE_FAILED = "gesture_failed"
    ATTEMPT_FAILED = "attempt_failed"
    RETRY = "retry"  # the user pressed "Try again"
    # Recorded once, by the write that commits it; the engine's own `verdict` event is not.
    VERDICT = "verdict"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_EXPIRED = "session_expired"
    SESSION_DELETED = "session_deleted"
    DISCONNECTED = "disconnected"  # the page's socket closed


class VerdictStatus(StrEnum):
    """GLAIR's top-level `status`: of the verdict, and of every face endpoint's answer."""

    SUCCESS = "success"
    FAILED = "failed"


class GestureStatus(StrEnum):
    """GLAIR's `gesture_status` strings, as written, spaces included."""

    MATCH = "MATCH"
    NOT_MATCH = "NOT_MATCH"
    FACE_NOT_DETECTED = "face not detected"
    TOO_MANY_FACES = "too many faces detected"
    HAND_NOT_DETECTED = "hand not detected"
    TOO_MANY_HANDS = "too many hand detected"


class PassiveStatus(StrEnum):
    """GLAIR's passive-liveness `status`: LOW is live; the last two mean nothing was judged."""

    LOW = "LOW"
    MODERATE = "MODERATE"
    HIGH = "HIGH"
    FACE_NOT_DETECTED = "face not detected"
    TOO_MANY_FACES = "too many faces detected"


# --- the verdict (`LivenessSession.result`, the `verdict` event's data) -------------------------
# Fields hold plain strings, the values of the enums above: a verdict read back from JSON has
# no enum members in it.


class GestureOutcome(TypedDict):
    gesture: str
    gesture_status: str  # a GestureStatus
    detected_gesture: str | None
    duration_ms: int | None


class PassiveOutcome(TypedDict):
    spoof_percentage: float
    status: str  # a PassiveStatus


class VerifyOutcome(TypedDict):
    match_percentage: float
    match_status_code: str  # a gestures.face_match.MatchCode


class _DecidingGesture(TypedDict):
    gesture_status: str  # the deciding gesture's, a GestureStatus
    detected_gesture: str | None
    gestures: list[GestureOutcome]  # one per requested gesture, in order


# `total=False` rather than NotRequired: with postponed annotations only it tells the optional
# keys apart at run time too (`__optional_keys__`, which the schema's tests read).
class VerdictDetail(_DecidingGesture, total=False):
    passive: PassiveOutcome  # when the run's frames were scored
    reason: str  # SPOOF_SUSPECTED when the passive evidence is HIGH, FACE_MISMATCH (verify)
    verify: VerifyOutcome  # when the session was created with `verify_image`


class Verdict(TypedDict):
    status: str  # a VerdictStatus
    result: VerdictDetail


# --- what each kind of event records as its data ---------------------------------------------


class SessionCreatedData(TypedDict):
    number_of_gestures: int
    expires_in: int  # seconds


class RetryData(TypedDict):
    attempt: int  # the attempt about to begin


class ChallengeStartedData(TypedDict):
    index: int
    gesture: str
    attempt: int
    deadline_ms: int  # on the engine's clock


class GestureMatchedData(TypedDict):
    index: int
    gesture: str
    duration_ms: int


class GestureFailedData(TypedDict):
    index: int
    gesture: str
    gesture_status: str  # a GestureStatus
    detected_gesture: str | None


class AttemptFailedData(TypedDict):
    attempt: int
    attempts_left: int


class SessionDeletedData(TypedDict):
    images: int  # stored images deleted with it


class NoData(TypedDict):
    pass


EVENT_DATA: dict[EventKind, type] = {
    EventKind.SESSION_CREATED: SessionCreatedData,
    EventKind.CONNECTED: NoData,
    EventKind.STARTED: NoData,
    EventKind.CHALLENGE_STARTED: ChallengeStartedData,
    EventKind.GESTURE_MATCHED: GestureMatchedData,
    EventKind.GESTURE_FAILED: GestureFailedData,
    EventKind.ATTEMPT_FAILED: AttemptFailedData,
    EventKind.RETRY: RetryData,
    EventKind.VERDICT: Verdict,
    EventKind.SESSION_CANCELLED: NoData,
    EventKind.SESSION_EXPIRED: NoData,
    EventKind.SESSION_DELETED: SessionDeletedData,
    EventKind.DISCONNECTED: NoData,
}


def data_keys(kind: EventKind) -> list[str]:
    """The keys an event of this kind records, in declaration order."""
    return list(EVENT_DATA[kind].__annotations__)


# --- the engine's events, as `Step.events` carries them (a `type` beside the data) --------------


class ChallengeStartedEvent(ChallengeStartedData):
    type: Literal[EventKind.CHALLENGE_STARTED]


class GestureMatchedEvent(GestureMatchedData):
    type: Literal[EventKind.GESTURE_MATCHED]


class GestureFailedEvent(GestureFailedData):
    type: Literal[EventKind.GESTURE_FAILED]


class AttemptFailedEvent(AttemptFailedData):
    type: Literal[EventKind.ATTEMPT_FAILED]


class VerdictEvent(TypedDict):
    type: Literal[EventKind.VERDICT]
    verdict: Verdict


EngineEvent = (
    ChallengeStartedEvent
    | GestureMatchedEvent
    | GestureFailedEvent
    | AttemptFailedEvent
    | VerdictEvent
)
ENGINE_EVENT_KINDS = (
    EventKind.CHALLENGE_STARTED,
    EventKind.GESTURE_MATCHED,
    EventKind.GESTURE_FAILED,
    EventKind.ATTEMPT_FAILED,
    EventKind.VERDICT,
)
