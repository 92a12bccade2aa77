"""What drf-spectacular cannot see for itself (imported by the views for its registrations):
the two merchant credentials, the URL and gesture fields' real constraints, the error codes
each call really answers, and the headers every answer carries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent

from gestures.vocabulary import EventKind
from sessions.api.fields import MAX_URL_LENGTH
from sessions.api.serializers import ErrorSerializer

# The subset of absolute http(s) URLs the schema promises to accept; the server accepts any
# URL with a sane host (RedirectUrlField), this keeps generated examples within it.
URL_PATTERN = r"^https?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$"
# Every merchant call can be refused for its credentials (401, 429 once too many failed),
# an unreadable request (400) or an oversized body (413), whatever else it answers.
ALWAYS = (400, 401, 413, 429)


def errors(*codes: int) -> dict[int, type[ErrorSerializer]]:
    """The JSON error body (sessions.api.errors) for these status codes and the usual ones."""
    return {code: ErrorSerializer for code in sorted({*ALWAYS, *codes})}


class MerchantAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sessions.api.auth.MerchantAuthentication"
    name = ["ApiKey", "BasicAuth"]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {"type": "apiKey", "in": "header", "name": "x-api-key"},
            {"type": "http", "scheme": "basic"},
        ]

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        # Both at once, not either: one requirement object naming the two schemes.
        return {"ApiKey": [], "BasicAuth": []}


class RedirectUrlFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "sessions.api.fields.RedirectUrlField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "format": "uri",
            "pattern": URL_PATTERN,
            "maxLength": MAX_URL_LENGTH,
        }


class WebhookUrlFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "sessions.api.fields.WebhookUrlField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        # https only: http is accepted only with LIVENESS_WEBHOOK_ALLOW_PRIVATE (local tests).
        return {
            "type": "string",
            "format": "uri",
            "pattern": "^https" + URL_PATTERN.removeprefix("^https?"),
            "maxLength": MAX_URL_LENGTH,
        }


class GestureCodeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "sessions.api.fields.GestureCodeField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": list(settings.LIVENESS_ENABLED_GESTURES)}


class EventKindFieldSchema(OpenApiSerializerFieldExtension):
    """`EventKind` as its own component, `EventKindEnum`. Left to drf-spectacular, the event's
    `kind` and the image's `kind` would share a field name with two choice sets, and both
    enums would be renamed (the image's is `KindEnum`)."""

    target_class = "sessions.api.serializers.EventKindField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        component = ResolvedComponent(
            name="EventKindEnum",
            type=ResolvedComponent.SCHEMA,
            object=EventKind,
            schema={"type": "string", "enum": [kind.value for kind in EventKind]},
        )
        auto_schema.registry.register_on_missing(component)
        return dict(component.ref)


def add_response_headers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: `Request-Id` on every answer, `Retry-After` on
    every 429 (sessions.middleware, sessions.api.errors)."""
    request_id = {
        "description": "this request's id: the caller's x-request-id when it is sane",
        "schema": {"type": "string"},
        "required": True,
    }
    retry_after = {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
        "required": True,
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                headers["Request-Id"] = request_id
                if str(status) == "429":
                    headers["Retry-After"] = retry_after
    return result
