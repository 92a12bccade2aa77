"""GLAIR's single-image active liveness call, `POST /face/v1/active-liveness` (CONTRACT §5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gestures.vocabulary import GestureStatus, VerdictStatus
from sessions.api.parsers import ImageFormParser
from sessions.api.schema import errors
from sessions.api.views import MerchantAPIView
from sessions.services.active import active_liveness_check

GESTURE_FIELD = "gesture-code"  # as faceBio.activeLiveness names it


class ActiveLivenessFormSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="the photo: JPEG, PNG or WebP (recognised from its bytes, whatever the part's "
        "content type), at most LIVENESS_IMAGE_MAX_BYTES (default 5 MiB)"
    )

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        # A form field whose name is not a Python identifier.
        fields[GESTURE_FIELD] = serializers.ChoiceField(
            choices=list(settings.LIVENESS_ENABLED_GESTURES),
            help_text="one of GLAIR's gesture codes (HEAD_... or HAND_...) enabled here",
        )
        return fields


class ActiveLivenessResultSerializer(serializers.Serializer):
    gesture_status = serializers.ChoiceField(choices=[s.value for s in GestureStatus])
    detected_gesture = serializers.CharField(
        allow_null=True,
        help_text="what the picture shows in the requested code's family, or null",
    )


class ActiveLivenessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[status.value for status in VerdictStatus],
        help_text="success: a face (head codes) or a hand (hand codes) was judged, read "
        "result.gesture_status; failed: none, or several, nothing judged",
    )
    result = ActiveLivenessResultSerializer()


class ActiveLivenessView(MerchantAPIView):
    parser_classes = [ImageFormParser]

    @extend_schema(
        operation_id="active_liveness",
        request={"multipart/form-data": ActiveLivenessFormSerializer},
        responses={200: ActiveLivenessSerializer, **errors(415)},
        examples=[
            OpenApiExample(
                "match",
                {
                    "status": "success",
                    "result": {"gesture_status": "MATCH", "detected_gesture": "HAND_01100"},
                },
            ),
            OpenApiExample(
                "no hand",
                {
                    "status": "failed",
                    "result": {"gesture_status": "hand not detected", "detected_gesture": None},
                },
            ),
        ],
        summary="Does one photo show a gesture? (GLAIR's faceBio.activeLiveness)",
    )
    def post(self, request: Request) -> Response:
        form = ActiveLivenessFormSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return Response(
            active_liveness_check(image=data["image"].read(), gesture=data[GESTURE_FIELD])
        )
