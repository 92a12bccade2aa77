"""The one place where errors become the JSON body GLAIR's SDKs read:
`{"status": <http code>, "reason": "<MACHINE_CODE>", "message": "<human text>"}`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.settings import api_settings

from sessions.errors import LivenessError, RateLimited

log = logging.getLogger(__name__)

_DRF_REASONS: list[tuple[type[Exception], str]] = [
    (drf.NotAuthenticated, "UNAUTHORIZED"),
    (drf.AuthenticationFailed, "UNAUTHORIZED"),
    (drf.PermissionDenied, "FORBIDDEN"),
    (drf.NotFound, "NOT_FOUND"),
    (drf.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (drf.NotAcceptable, "NOT_ACCEPTABLE"),
    (drf.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (drf.ParseError, "INVALID_JSON"),
    (drf.Throttled, "RATE_LIMITED"),
]


class PayloadTooLarge(drf.APIException):
    status_code = 413
    default_detail = "request body is too large"
    default_code = "payload_too_large"


def error_body(status: int, reason: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "reason": reason, "message": message, **extra}


def _validation_body(exc: drf.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(detail, dict) and detail:
        field, problems = next(iter(detail.items()))
        problem = problems[0] if isinstance(problems, list) and problems else problems
        if isinstance(problem, dict):  # a nested error, e.g. one list item
            problem = next(iter(problem.values()))
        if field == api_settings.NON_FIELD_ERRORS_KEY:
            return error_body(400, "INVALID_REQUEST", str(problem))
        message = f"{field}: {problem}"
        return error_body(400, "INVALID_REQUEST", message, field=str(field))
    problem = detail[0] if isinstance(detail, list) and detail else detail
    return error_body(400, "INVALID_REQUEST", str(problem))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, LivenessError):
        extra = {"field": exc.field} if exc.field else {}
        response = Response(error_body(exc.status, exc.reason, exc.message, **extra), exc.status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404):
        return Response(error_body(404, "NOT_FOUND", "not found"), 404)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, drf.ValidationError):
        return Response(_validation_body(exc), 400)
    if isinstance(exc, drf.APIException):
        reason = next((r for cls, r in _DRF_REASONS if isinstance(exc, cls)), None)
        reason = reason or str(exc.get_codes()).upper()
        response = Response(error_body(exc.status_code, reason, _text(exc.detail)), exc.status_code)
        if isinstance(exc, drf.Throttled) and exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            response["WWW-Authenticate"] = auth_header
        return response
    log.exception("unhandled error in %s", context.get("view"))
    return Response(error_body(500, "INTERNAL_ERROR", "internal error; try again later"), 500)


def _text(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return str(detail[0])
    if isinstance(detail, dict) and detail:
        return _text(next(iter(detail.values())))
    return str(detail)


def json_error(status: int, reason: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(status, reason, message), status=status)
