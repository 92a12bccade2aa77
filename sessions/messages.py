"""Validation of what the page sends over the socket (docs/PROTOCOL.md)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_SIMPLE = {"start", "retry", "cancel", "ping"}


class MessageError(ValueError):
    pass


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
