"""Input validation and output shape of the merchant API (CONTRACT §1)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models
from rest_framework import serializers
from rest_framework.settings import api_settings

from gestures.vocabulary import EventKind, GestureStatus, Verdict, VerdictStatus, data_keys
from sessions.api.fields import (
    Base64ImageField,
    GestureCodeField,
    RedirectUrlField,
    StrictCharField,
    StrictIntegerField,
    WebhookUrlField,
)
from sessions.gesture_codes import is_gesture_code
from sessions.models import (
    DeliveryStatus,
    ImageKind,
    LivenessSession,
    SessionStatus,
    WebhookEvent,
)


class SessionCreateSerializer(serializers.Serializer):
    success_url = RedirectUrlField(
        help_text="absolute http/https URL; the user comes back to it with ?sid=<sid>"
    )
    cancel_url = RedirectUrlField(
        required=False, allow_blank=True, help_text="absolute http/https URL for the back button"
    )
    number_of_gestures = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=5,
        help_text="default 1, drawn at random; must equal the length of `gestures` when both "
        "are given",
    )
    gestures = serializers.ListField(
        child=GestureCodeField(),
        required=False,
        min_length=1,
        max_length=5,
        help_text="explicit gesture codes, in order",
    )
    expires_in = StrictIntegerField(
        required=False, min_value=60, max_value=86400, help_text="seconds, default 86400"
    )
    device_correlation_id = StrictCharField(
        required=False,
        max_length=128,
        allow_blank=True,
        help_text="opaque id of the user's device, for throttling",
    )
    webhook_url = WebhookUrlField(
        required=False,
        allow_blank=True,
        help_text="absolute https URL that receives this session's events (session.finished, "
        "session.cancelled, session.expired), signed with the merchant's webhook secret",
    )
    verify_image = Base64ImageField(
        required=False,
        help_text="base64 JPEG or PNG (at most LIVENESS_VERIFY_IMAGE_MAX_BYTES, default 2 MiB, "
        "before encoding) of the person expected, with exactly one face: the session compares "
        "the user's face with it and reports result.result.verify; a mismatch fails it",
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["the body must be a JSON object"]}
            )
        return super().to_internal_value(data)

    def validate_gestures(self, value: list[str]) -> list[str]:
        for code in value:
            if not is_gesture_code(code):
                raise serializers.ValidationError(f"unknown gesture code {code!r}")
            if code not in settings.LIVENESS_ENABLED_GESTURES:
                raise serializers.ValidationError(f"gesture {code!r} is not enabled here")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        gestures = attrs.get("gestures")
        count = attrs.get("number_of_gestures")
        if gestures and count is not None and count != len(gestures):
            raise serializers.ValidationError(
                {"number_of_gestures": "must equal the length of gestures when both are given"}
            )
        if gestures:
            attrs["number_of_gestures"] = len(gestures)
        return attrs


class ListQuerySerializer(serializers.Serializer):
    start = serializers.UUIDField(required=False)
    top = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=1000)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _values(choices: type[StrEnum] | type[models.Choices]) -> list[str]:
    return [member.value for member in choices]


# --- the verdict: what `gestures.verdict.build_verdict` stores (`gestures.vocabulary.Verdict`)


class GestureOutcomeSerializer(serializers.Serializer):
    gesture = serializers.CharField()
    gesture_status = serializers.ChoiceField(choices=_values(GestureStatus))
    detected_gesture = serializers.CharField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True, min_value=0)


class PassiveEvidenceSerializer(serializers.Serializer):
    spoof_percentage = serializers.FloatField(min_value=0, max_value=1)
    status = serializers.CharField(help_text="LOW, MODERATE, HIGH, or why nothing was judged")


class VerifyOutcomeSerializer(serializers.Serializer):
    match_percentage = serializers.FloatField(min_value=0, max_value=1)
    match_status_code = serializers.CharField(
        help_text="MATCH, NOT_MATCH, or NO_FACE_CAPTURED_IMG (no frame with a face to compare)"
    )


class VerdictDetailSerializer(serializers.Serializer):
    gesture_status = serializers.ChoiceField(choices=_values(GestureStatus))
    detected_gesture = serializers.CharField(allow_null=True)
    gestures = GestureOutcomeSerializer(many=True)
    passive = PassiveEvidenceSerializer(required=False)
    reason = serializers.CharField(required=False, help_text="SPOOF_SUSPECTED or FACE_MISMATCH")
    verify = VerifyOutcomeSerializer(
        required=False, help_text="when the session was created with verify_image"
    )


# Documents the stored verdict; the answer carries it as the engine decided it. (Comments, not
# docstrings, on the serializers: drf-spectacular would publish a docstring in the schema.)
class VerdictSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=_values(VerdictStatus))
    result = VerdictDetailSerializer()

    def to_representation(self, instance: Verdict) -> Verdict:
        return instance


# --- the session object of CONTRACT §1 ------------------------------------------------------

PageUrl = Callable[[LivenessSession], str]


class PageUrlField(serializers.URLField):
    """The session's prebuilt page, from the context's `page_url` (session -> absolute URL)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", **kwargs)

    def to_representation(self, value: LivenessSession) -> str:
        page_url: PageUrl = self.context["page_url"]
        return page_url(value)


class BlankAsNullUrlField(serializers.URLField):
    def to_representation(self, value: str) -> str | None:
        return value or None


class EpochMillisField(serializers.IntegerField):
    def to_representation(self, value: datetime.datetime) -> int:
        return int(value.timestamp() * 1000)


class MillisDateTimeField(serializers.DateTimeField):
    def to_representation(self, value: datetime.datetime) -> str | None:
        return _iso(value)


# The session object: what the schema documents and what create, retrieve and list answer,
# both from these fields (`session_representations`).
class SessionSerializer(serializers.Serializer):
    sid = serializers.UUIDField(help_text="UUIDv7, time-ordered")
    status = serializers.ChoiceField(choices=_values(SessionStatus))
    success_url = serializers.URLField()
    cancel_url = BlankAsNullUrlField(allow_null=True)
    number_of_gestures = serializers.IntegerField(min_value=1, max_value=5)
    url = PageUrlField(help_text="the prebuilt page to send the end user to")
    expired = EpochMillisField(
        source="expires_at", help_text="expiry, milliseconds since the epoch"
    )
    created_at = MillisDateTimeField()
    result = VerdictSerializer(allow_null=True, help_text="null until FINISHED")


def session_representations(
    sessions: Iterable[LivenessSession],
    *,
    page_url: PageUrl,
    shape: type[serializers.Serializer] = SessionSerializer,
) -> list[dict[str, Any]]:
    """The session objects of CONTRACT §1 (or §5's passive ones, with `shape`), shaped by
    `SessionSerializer`: the one place they are shaped. `page_url` gives each session's page
    URL."""
    shaped: list[dict[str, Any]] = shape(sessions, many=True, context={"page_url": page_url}).data
    return shaped


def session_representation(session: LivenessSession, *, page_url: str) -> dict[str, Any]:
    """One session object, as `session_representations` shapes it."""
    return session_representations([session], page_url=lambda _: page_url)[0]


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(min_value=400, max_value=599, help_text="the HTTP status")
    reason = serializers.CharField(
        help_text="machine code: INVALID_REQUEST, INVALID_JSON, UNAUTHORIZED, NOT_FOUND, "
        "METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, RATE_LIMITED, ..."
    )
    message = serializers.CharField(help_text="for humans")
    field = serializers.CharField(required=False, help_text="the offending field, for 400s")


def image_representation(image: Any, *, url: str, gestures: list[str]) -> dict[str, Any]:
    index = image.challenge_index
    return {
        "id": image.pk,
        "kind": image.kind,
        "challenge_index": index,
        "gesture": gestures[index] if index is not None and index < len(gestures) else None,
        "captured_at": _iso(image.captured_at),
        "content_type": image.content_type,
        "url": url,
    }


def event_representation(event: Any) -> dict[str, Any]:
    return {"at": _iso(event.at), "kind": event.kind, "data": event.data}


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=_values(ImageKind))
    challenge_index = serializers.IntegerField(allow_null=True, min_value=0)
    gesture = serializers.CharField(allow_null=True)
    captured_at = serializers.DateTimeField()
    content_type = serializers.CharField()
    url = serializers.URLField()


class ImagesSerializer(serializers.Serializer):
    sid = serializers.UUIDField()
    reference = ImageSerializer(allow_null=True)
    audit = ImageSerializer(many=True)
    verify = ImageSerializer(
        required=False, help_text="the verify_image the session was created with, when it was"
    )


class EventKindField(serializers.ChoiceField):
    """An `EventKind`; its schema is the `EventKindEnum` component (sessions.api.schema)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_values(EventKind), **kwargs)


def _event_data_help() -> str:
    kinds = []
    for kind in EventKind:
        keys = data_keys(kind)
        kinds.append(f"{kind} ({', '.join(keys)})" if keys else str(kind))
    return "what happened, with the keys of its `data`: " + "; ".join(kinds)


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = EventKindField(help_text=_event_data_help())
    data = serializers.JSONField()


class AuditSerializer(serializers.Serializer):
    sid = serializers.UUIDField()
    status = serializers.ChoiceField(choices=_values(SessionStatus))
    events = EventSerializer(many=True)


# --- webhooks (CONTRACT §6) -------------------------------------------------------------


class WebhookAttemptSerializer(serializers.Serializer):
    at = MillisDateTimeField(source="started_at")
    status_code = serializers.IntegerField(
        allow_null=True, min_value=100, max_value=999, help_text="null: no answer (see error)"
    )
    error = serializers.CharField(
        allow_blank=True, help_text="why there was no answer: timeout, refused address, ..."
    )
    duration_ms = serializers.IntegerField(
        allow_null=True, min_value=0, help_text="null while the attempt is in flight"
    )


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the event's `id`, the same on every attempt")
    type = serializers.ChoiceField(source="event", choices=_values(WebhookEvent))
    url = serializers.URLField()
    status = serializers.ChoiceField(choices=_values(DeliveryStatus))
    created = EpochMillisField(source="created_at", help_text="the event's `created`")
    next_attempt_at = MillisDateTimeField(allow_null=True)
    delivered_at = MillisDateTimeField(allow_null=True)
    attempts = WebhookAttemptSerializer(many=True, help_text="oldest first")


class WebhookDeliveriesSerializer(serializers.Serializer):
    sid = serializers.UUIDField()
    deliveries = WebhookDeliverySerializer(many=True)


def webhook_deliveries_representation(sid: Any, deliveries: list[Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = WebhookDeliveriesSerializer(
        {"sid": sid, "deliveries": deliveries}
    ).data
    return shaped
