from __future__ import annotations

import io
import math
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer

from sessions.api.errors import PayloadTooLarge
from sessions.errors import InvalidInput

# A session create's JSON may carry `verify_image` (CONTRACT section 1), base64-encoded.
_SESSION_CREATE = re.compile(r"^/face/v1/active-liveness-sessions/?$")


def json_body_limit(method: str, path: str) -> int:
    """The largest JSON body an API call may send: API_MAX_BODY_BYTES, plus room for a
    base64 `verify_image` of LIVENESS_VERIFY_IMAGE_MAX_BYTES when it creates a session."""
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if method == "POST" and _SESSION_CREATE.match(path):
        limit += 4 * math.ceil(settings.LIVENESS_VERIFY_IMAGE_MAX_BYTES / 3) + 64
    return limit


class BoundedJSONParser(BaseParser):
    """JSON, read up to its bound (`json_body_limit`): a larger body (even chunked) is a 413,
    unread.

    Not a JSONParser subclass: DRF reads the whole `request.body` for those first, under
    Django's single DATA_UPLOAD_MAX_MEMORY_SIZE, which a session create's `verify_image`
    needs to exceed; this parser reads the stream itself, within the bound of the call."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = (
            json_body_limit(request.method, request.path)
            if request is not None
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if stream is None:  # no body at all
            return JSONParser().parse(io.BytesIO(b""), media_type, parser_context)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"request body is larger than {limit} bytes")
        try:
            return JSONParser().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            # `[[[[...]]]]` a few thousand deep fits in any body limit and exhausts the
            # decoder's recursion: bad JSON, not a server error.
            raise ParseError("JSON parse error - the body is nested too deeply") from exc


class ImageFormParser(MultiPartParser):
    """The face endpoints' multipart forms, as GLAIR's SDKs send them.

    The body was already bounded by its Content-Length (RequestIdMiddleware); Django's limits
    on the fields and files in it apply too. A broken form is a 400 about the form (DRF would
    call it INVALID_JSON), and too many parts a 400 rather than an unhandled 500; form fields
    over DATA_UPLOAD_MAX_MEMORY_SIZE stay a 413.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RequestDataTooBig:
            raise
        except (ParseError, SuspiciousOperation) as exc:
            raise InvalidInput(f"the body is not a valid multipart form: {_why(exc)}") from exc


def _why(exc: Exception) -> str:
    detail = getattr(exc, "detail", None)
    return str(detail if detail is not None else exc).removeprefix("Multipart form parse error - ")
