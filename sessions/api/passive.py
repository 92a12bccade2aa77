"""GLAIR's single-image passive liveness call, `POST /face/v1/passive-liveness` (CONTRACT §5)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gestures.vocabulary import PassiveStatus, VerdictStatus
from sessions.api.parsers import ImageFormParser
from sessions.api.schema import errors
from sessions.api.views import MerchantAPIView
from sessions.services.passive import passive_liveness_check


class PassiveLivenessFormSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="the photo: JPEG, PNG or WebP (recognised from its bytes, whatever the part's "
        "content type), at most LIVENESS_IMAGE_MAX_BYTES (default 5 MiB)"
    )


class PassiveLivenessResultSerializer(serializers.Serializer):
    spoof_percentage = serializers.FloatField(
        min_value=0,
        max_value=1,
        help_text="1 - the probability that the face is live; 1.0 when no single face was found",
    )
    status = serializers.ChoiceField(
        choices=[status.value for status in PassiveStatus],
        help_text="LOW = live, MODERATE = doubtful, HIGH = suspected spoof",
    )


class PassiveLivenessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[status.value for status in VerdictStatus],
        help_text="success: one face was judged (read result.status for the verdict); "
        "failed: no face or several faces, nothing judged",
    )
    result = PassiveLivenessResultSerializer()


class PassiveLivenessView(MerchantAPIView):
    parser_classes = [ImageFormParser]

    @extend_schema(
        operation_id="passive_liveness",
        request={"multipart/form-data": PassiveLivenessFormSerializer},
        responses={
            200: PassiveLivenessSerializer,
            **errors(415),
        },
        examples=[
            OpenApiExample(
                "live",
                {"status": "success", "result": {"spoof_percentage": 0.01032, "status": "LOW"}},
            ),
            OpenApiExample(
                "no face",
                {
                    "status": "failed",
                    "result": {"spoof_percentage": 1.0, "status": "face not detected"},
                },
            ),
        ],
        summary="Passive liveness of one photo (GLAIR's faceBio.passiveLiveness)",
    )
    def post(self, request: Request) -> Response:
        form = PassiveLivenessFormSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(passive_liveness_check(image=form.validated_data["image"].read()))
