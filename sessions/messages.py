"""Validation of what the page sends over the socket (docs/PROTOCOL.md)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings

from sessions.protocol import PageMessage

_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_SIMPLE = {m.value for m in PageMessage if m is not PageMessage.FRAME}
# Page messages are flat objects: one `{`. A few more leave room for future fields; a deeply
# nested message is refused before the decoder recurses into it.
MAX_BRACKETS = 16
# `{"type": "frame", "seq": <2**53>, "image": "data:image/jpeg;base64,"}` and some spaces.
FRAME_ENVELOPE_BYTES = 128
# Frames up to this much over LIVENESS_FRAME_MAX_BYTES must still reach the app (and get its
# error answer), so the ASGI server's message cap has to leave room for them.
OVERSIZE_ANSWERED = 1.25


def frame_message_bytes(frame_bytes: int) -> int:
    """Bytes of the text message that carries a frame of `frame_bytes` bytes."""
    return 4 * math.ceil(frame_bytes / 3) + FRAME_ENVELOPE_BYTES


def largest_answered_frame(max_message_bytes: int) -> int:
    """The largest frame whose message still fits in `max_message_bytes`."""
    return (max_message_bytes - FRAME_ENVELOPE_BYTES) // 4 * 3


class MessageError(ValueError):
    pass


def decode_message(text: str | None) -> Any:
    """The JSON value of one text message; MessageError for binary, non-JSON or nested input.

    Counting brackets is linear C work even on a frame-sized message; a nesting depth can
    never exceed it, so `json.loads` never recurses deeply.
    """
    if text is None:
        raise MessageError("send JSON text messages")
    if text.count("{") + text.count("[") > MAX_BRACKETS:
        raise MessageError("a message is a flat JSON object")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MessageError("a message is a JSON object") from exc


def parse_message(content: Any) -> dict[str, Any]:
    """The message, checked; MessageError says what is wrong with it."""
    if not isinstance(content, dict):
        raise MessageError("a message is a JSON object")
    kind = content.get("type")
    if kind in _SIMPLE:
        return {"type": kind}
    if kind != "frame":
        raise MessageError(f"unknown message type {kind!r}")
    seq = content.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**53:
        raise MessageError("frame.seq must be a non-negative integer")
    image = content.get("image")
    if not isinstance(image, str) or not image:
        raise MessageError("frame.image must be a base64 JPEG string")
    if image.startswith("data:"):
        image = image.partition(",")[2]
    if len(image) > settings.LIVENESS_FRAME_MAX_BYTES * 4 // 3 + 4:
        raise MessageError("frame.image is too large")
    if not _BASE64.match(image):
        raise MessageError("frame.image is not base64")
    return {"type": "frame", "seq": seq, "image": image}
