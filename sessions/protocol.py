"""What the page and the server must agree on over the socket (docs/PROTOCOL.md), said once.

The server imports these; the page's copy is `static/liveness/protocol.js`, and
`tests/page/test_protocol.py` fails when it says anything else than `page_constants()`.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

from gestures import codes
from gestures.vocabulary import Phase


class CloseCode(IntEnum):
    """Socket close codes the page tells apart (any other code: reconnect with backoff)."""

    ABUSE = 4400  # too many bad messages: the page shows an error and does not reconnect
    UNKNOWN = 4404  # unknown or revoked token: "no longer valid"
    REPLACED = 4409  # another tab took the session over
    ENDED = 4410  # finished, cancelled or expired: "no longer valid"
    UNAVAILABLE = 4503  # the database is unreachable: the page reconnects (backoff)


class PageMessage(StrEnum):
    START = "start"
    FRAME = "frame"
    RETRY = "retry"
    CANCEL = "cancel"
    PING = "ping"


class ServerMessage(StrEnum):
    STATE = "state"
    FRAME_RESULT = "frame_result"
    FRAME_DROPPED = "frame_dropped"
    CHALLENGE = "challenge"
    CHALLENGE_PASSED = "challenge_passed"
    ATTEMPT_FAILED = "attempt_failed"
    RESULT = "result"
    ERROR = "error"
    PAUSED = "paused"
    BUSY = "busy"
    RESUMED = "resumed"
    REPLACED = "replaced"
    PONG = "pong"


# The page sends no frames in these phases (and the server drops them as `paused`).
IDLE_PHASES = (Phase.READY, Phase.ATTEMPT_FAILED, Phase.DONE)


class PauseReason(StrEnum):
    ANALYSIS_UNAVAILABLE = "analysis_unavailable"
    STORAGE_UNAVAILABLE = "storage_unavailable"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


GUIDANCE = (
    codes.OK,
    codes.NO_FACE,
    codes.MANY_FACES,
    codes.MOVE_CLOSER,
    codes.MOVE_BACK,
    codes.CENTER,
    codes.TOO_DARK,
    codes.TOO_BRIGHT,
    codes.HOLD_STILL,
    codes.LOOK_STRAIGHT,
    codes.NO_HAND,
    codes.MANY_HANDS,
    codes.HAND_CUT_OFF,
)
# PROTOCOL.md's first name for `look_straight`; the page still accepts it.
GUIDANCE_ALIASES = ("neutral",)

# Frames in analysis per socket; a frame past them is answered `frame_dropped busy`.
MAX_IN_FLIGHT = 2
# The server gives a frame up (`frame_dropped lost`, then `paused`) once it has been in analysis
# this long since it arrived. It looks when the next frame or answer comes in.
FRAME_TIMEOUT_S = 3.0
# The page frees the slot of a frame never answered this long after it sent it. Not sooner than
# the server's give-up plus a round trip: the frame that a freed slot lets out must find the
# server's slots given up too, or it is refused `busy` and the page slows down for nothing.
FRAME_SLOT_MARGIN_MS = 2000
PAGE_FRAME_TIMEOUT_MS = round(FRAME_TIMEOUT_S * 1000) + FRAME_SLOT_MARGIN_MS


def page_constants() -> dict[str, Any]:
    """The values `static/liveness/protocol.js` exports under these names."""
    return {
        "CLOSE": {code.name: code.value for code in CloseCode},
        "PAGE_MESSAGES": [m.value for m in PageMessage],
        "SERVER_MESSAGES": [m.value for m in ServerMessage],
        "PHASES": [p.value for p in Phase],
        "IDLE_PHASES": [p.value for p in IDLE_PHASES],
        "PAUSE_REASONS": [r.value for r in PauseReason],
        "OUTCOMES": [o.value for o in Outcome],
        "GUIDANCE": [*GUIDANCE, *GUIDANCE_ALIASES],
        "MAX_IN_FLIGHT": MAX_IN_FLIGHT,
        "SERVER_FRAME_TIMEOUT_MS": round(FRAME_TIMEOUT_S * 1000),
        "FRAME_TIMEOUT_MS": PAGE_FRAME_TIMEOUT_MS,
    }
