"""The merchant API's own request fields (CONTRACT §1): strict JSON types, the base64
`verify_image`, redirect and webhook URLs, gesture codes. The serializers that use them are in
`sessions.api.serializers`; their schema in `sessions.api.schema`."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from rest_framework import serializers

MAX_URL_LENGTH = 2048
_HOST = re.compile(r"^([0-9a-f:.]+:[0-9a-f:.]*|[a-z0-9_\-]+(\.[a-z0-9_\-]+)*\.?)$")


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: no strings, floats or booleans sneaking in as numbers."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("must be an integer")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("must be a string")
        return super().to_internal_value(data)


class Base64ImageField(StrictCharField):
    """Base64 image bytes (`verify_image`), with or without a `data:image/...;base64,` prefix.

    Only the encoding is checked here; what the bytes are (a JPEG or PNG with one face) is the
    service's question (`sessions.services.verify`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=True, **kwargs)

    def to_internal_value(self, data: Any) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        if text.startswith("data:"):
            text = text.partition(",")[2]
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError("must be base64 (a JPEG or PNG image)") from exc


class RedirectUrlField(StrictCharField):
    """An absolute http(s) URL: no javascript:, data:, relative or scheme-relative URLs."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_URL_LENGTH, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value == "" and self.allow_blank:
            return value
        if not _is_absolute_http_url(value):
            raise serializers.ValidationError("must be an absolute http or https URL")
        return value


def _is_absolute_http_url(value: str) -> bool:
    # Internal host names (no dot) are fine: merchants test against their own machines.
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme.lower() in {"http", "https"} and bool(_HOST.match(host))


class WebhookUrlField(RedirectUrlField):
    """An absolute https URL (http too with LIVENESS_WEBHOOK_ALLOW_PRIVATE, for local tests).
    Where it points is checked when each event is sent (sessions.webhook_http)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = urlsplit(value)
        if (
            value
            and parts.scheme.lower() != "https"
            and not settings.LIVENESS_WEBHOOK_ALLOW_PRIVATE
        ):
            raise serializers.ValidationError("must be an absolute https URL")
        if parts.username is not None or parts.password is not None:
            # Never sent (no basic auth on deliveries), yet shown in every delivery listing,
            # and `https://trusted@elsewhere/` reads as the wrong host.
            raise serializers.ValidationError("must not carry credentials (user@host)")
        return value


class GestureCodeField(StrictCharField):
    """One gesture code; `validate_gestures` checks it is known and enabled (the schema lists
    LIVENESS_ENABLED_GESTURES, sessions.api.schema)."""
