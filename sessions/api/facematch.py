"""GLAIR's face match, `POST /face/v1/match` (CONTRACT section 5)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gestures.face_match import MatchCode
from gestures.vocabulary import VerdictStatus
from sessions.api.parsers import ImageFormParser
from sessions.api.schema import errors
from sessions.api.views import MerchantAPIView
from sessions.services.facematch import face_match

IMAGE_HELP = (
    "JPEG, PNG or WebP (recognised from its bytes, whatever the part's content type), at most "
    "LIVENESS_IMAGE_MAX_BYTES (default 5 MiB); exactly one face"
)


class FaceMatchFormSerializer(serializers.Serializer):
    stored_image = serializers.FileField(
        help_text=f"the reference photo (an ID photo): {IMAGE_HELP}"
    )
    captured_image = serializers.FileField(help_text=f"the photo just taken: {IMAGE_HELP}")


class FaceMatchResultSerializer(serializers.Serializer):
    match_percentage = serializers.FloatField(
        min_value=0,
        max_value=1,
        help_text="calibrated similarity; 0.5 is the decision threshold (docs/ACCURACY.md); "
        "0.0 when nothing was compared",
    )
    match_status = serializers.CharField(help_text="the code in words, for people")
    match_status_code = serializers.ChoiceField(choices=[code.value for code in MatchCode])


class FaceMatchSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[status.value for status in VerdictStatus],
        help_text="success: both faces were compared (read result.match_status_code); "
        "failed: a photo had no face or several",
    )
    result = FaceMatchResultSerializer()


class FaceMatchView(MerchantAPIView):
    parser_classes = [ImageFormParser]

    @extend_schema(
        operation_id="face_match",
        request={"multipart/form-data": FaceMatchFormSerializer},
        responses={200: FaceMatchSerializer, **errors(415, 503)},
        examples=[
            OpenApiExample(
                "same person",
                {
                    "status": "success",
                    "result": {
                        "match_percentage": 0.97331,
                        "match_status": "Face matched",
                        "match_status_code": "MATCH",
                    },
                },
            ),
            OpenApiExample(
                "no face in the captured image",
                {
                    "status": "failed",
                    "result": {
                        "match_percentage": 0.0,
                        "match_status": "No face detected in the captured image",
                        "match_status_code": "NO_FACE_CAPTURED_IMG",
                    },
                },
            ),
        ],
        summary="Compare the faces of two photos (GLAIR's faceBio.match)",
    )
    def post(self, request: Request) -> Response:
        form = FaceMatchFormSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(
            face_match(
                stored_image=form.validated_data["stored_image"].read(),
                captured_image=form.validated_data["captured_image"].read(),
            )
        )
