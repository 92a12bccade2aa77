"""The vocabulary shared with the server and the page: gestures, statuses, guidance, phases."""

from __future__ import annotations

from gestures.vocabulary import Phase

HEAD_LEFT = "HEAD_LEFT"
HEAD_RIGHT = "HEAD_RIGHT"
HEAD_UP = "HEAD_UP"
HEAD_DOWN = "HEAD_DOWN"
HEAD_OPEN_MOUTH = "HEAD_OPEN_MOUTH"
HEAD_CLOSE_MOUTH = "HEAD_CLOSE_MOUTH"
HEAD_00 = "HEAD_00"  # both eyes closed
HEAD_01 = "HEAD_01"  # the subject's right eye closed, left open
HEAD_10 = "HEAD_10"  # the subject's left eye closed, right open
HEAD_11 = "HEAD_11"  # both eyes open (after being closed)

POSE_GESTURES = (HEAD_LEFT, HEAD_RIGHT, HEAD_UP, HEAD_DOWN)
MOUTH_GESTURES = (HEAD_OPEN_MOUTH, HEAD_CLOSE_MOUTH)
EYE_GESTURES = (HEAD_00, HEAD_01, HEAD_10, HEAD_11)
SUPPORTED_GESTURES = POSE_GESTURES + MOUTH_GESTURES + EYE_GESTURES
# GLAIR's nine hand shapes (CONTRACT section 2), raised fingers thumb to little finger. The
# engine runs them (gestures.hand_challenge); which codes a merchant may ask for is the
# server's choice (sessions.gesture_codes).
HAND_GESTURES = tuple(
    f"HAND_{bits}"
    for bits in ("00000", "01000", "01100", "01110", "01111", "10000", "11000", "11001", "11111")
)
ENGINE_GESTURES = SUPPORTED_GESTURES + HAND_GESTURES

# GLAIR's gesture_status strings.
MATCH = "MATCH"
NOT_MATCH = "NOT_MATCH"
FACE_NOT_DETECTED = "face not detected"
TOO_MANY_FACES = "too many faces detected"
HAND_NOT_DETECTED = "hand not detected"
TOO_MANY_HANDS = "too many hand detected"

# Positioning guidance, in the order they are checked.
NO_FACE = "no_face"
MANY_FACES = "many_faces"
TOO_DARK = "too_dark"
TOO_BRIGHT = "too_bright"
MOVE_CLOSER = "move_closer"
MOVE_BACK = "move_back"
CENTER = "center"
HOLD_STILL = "hold_still"
LOOK_STRAIGHT = "look_straight"  # during a challenge, before the neutral pose is seen
# During a hand challenge (gestures.hand_challenge): no hand beside the face, two or more, or
# one that the frame's edge cuts off.
NO_HAND = "no_hand"
MANY_HANDS = "many_hands"
HAND_CUT_OFF = "hand_cut_off"
OK = "ok"

# Phases of a run (gestures.vocabulary.Phase); READY and ATTEMPT_FAILED only in an
# interactive run (the page's): before Start, and after a failed attempt until "Try again".
POSITIONING = Phase.POSITIONING
CHALLENGE = Phase.CHALLENGE
BETWEEN = Phase.BETWEEN
DONE = Phase.DONE
READY = Phase.READY
ATTEMPT_FAILED = Phase.ATTEMPT_FAILED
HOLD = Phase.HOLD  # a passive session's hold (gestures.passive_session)
