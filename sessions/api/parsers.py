from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from sessions.api.errors import PayloadTooLarge
from sessions.errors import InvalidInput


class BoundedJSONParser(JSONParser):
    """JSON, read up to API_MAX_BODY_BYTES: a larger body (even chunked) is a 413, unread."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            return super().parse(stream, media_type, parser_context)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"request body is larger than {limit} bytes")
        return super().parse(io.BytesIO(raw), media_type, parser_context)


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
