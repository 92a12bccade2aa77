from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sessions.api.errors import json_error
from sessions.api.parsers import json_body_limit

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
API_PREFIX = "/face/v1/"
UPLOAD_MAX_IMAGES = 2  # the most images one face call carries (face match: two)


class RequestIdMiddleware:
    """Every response carries `Request-Id`: the caller's `x-request-id` when it is sane.

    It also refuses oversized API bodies by their Content-Length before anything reads them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("x-request-id", "")
        request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self._too_large(request) or self.get_response(request)
        response["Request-Id"] = request_id
        return response

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            return json_error(400, "INVALID_REQUEST", "Content-Length is not a number")
        limit = json_body_limit(request.method or "", request.path)
        if request.content_type == "multipart/form-data":
            # The face endpoints' image uploads (CONTRACT section 5): each image is bounded
            # again by LIVENESS_IMAGE_MAX_BYTES once parsed, the form's other fields by the
            # limit above.
            limit += UPLOAD_MAX_IMAGES * settings.LIVENESS_IMAGE_MAX_BYTES
        if length > limit:
            return json_error(
                413, "PAYLOAD_TOO_LARGE", f"request body is larger than {limit} bytes"
            )
        return None
