from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from rest_framework.parsers import JSONParser

from sessions.api.errors import PayloadTooLarge


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
