"""GLAIR's passive-liveness sessions (CONTRACT §5): `POST/GET /face/v1/passive-liveness-sessions`.

A session as §1 without gestures: its page asks the user to hold still a few seconds
(`gestures.passive_session`), and its `result` is GLAIR's passive shape,
`{"status", "result": {"spoof_percentage", "status"}}`. The same credentials, errors and
extensions (list, delete, images, audit, webhooks) as the active path: these views are the
active ones with `kind = PASSIVE`, and their own request and answer shapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gestures.vocabulary import PassiveStatus, VerdictStatus
from sessions.api import views
from sessions.api.schema import errors
from sessions.api.serializers import (
    AuditSerializer,
    ImagesSerializer,
    ListQuerySerializer,
    PageUrl,
    SessionCreateSerializer,
    SessionSerializer,
    WebhookDeliveriesSerializer,
    session_representations,
)
from sessions.models import LivenessSession, SessionKind

SID, IMAGE_ID = views.SID, views.IMAGE_ID


def _values(choices: Iterable[Any]) -> list[str]:
    return [member.value for member in choices]


class PassiveSessionCreateSerializer(SessionCreateSerializer):
    """GLAIR's `success_url` and `cancel_url`, and the active path's extensions that make sense
    without gestures (expiry, device throttling, webhooks)."""

    number_of_gestures = None
    gestures = None
    verify_image = None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs


class PassiveResultDetailSerializer(serializers.Serializer):
    spoof_percentage = serializers.FloatField(
        min_value=0,
        max_value=1,
        help_text="1 - the median probability, over the held frames, that the face is live; "
        "1.0 when no face could be judged",
    )
    status = serializers.ChoiceField(
        choices=_values(PassiveStatus),
        help_text="LOW = live, MODERATE = doubtful (passes), HIGH = suspected spoof (fails); "
        "`face not detected` / `too many faces detected`: no hold was completed",
    )
    reason = serializers.CharField(required=False, help_text="SPOOF_SUSPECTED when HIGH")


# The stored verdict, as the engine decided it (gestures.passive_session.PassiveVerdict).
class PassiveResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=_values(VerdictStatus))
    result = PassiveResultDetailSerializer()

    def to_representation(self, instance: Any) -> Any:
        return instance


# The active session object without gestures, with GLAIR's passive result.
class PassiveSessionSerializer(SessionSerializer):
    number_of_gestures = None
    result = PassiveResultSerializer(allow_null=True, help_text="null until FINISHED")


def passive_session_representations(
    sessions: Iterable[LivenessSession], *, page_url: PageUrl
) -> list[dict[str, Any]]:
    return session_representations(sessions, page_url=page_url, shape=PassiveSessionSerializer)


class PassiveSessionAPIView(views.SessionAPIView):
    kind = SessionKind.PASSIVE

    def represent_all(self, request: Request, sessions: Iterable[LivenessSession]) -> list[Any]:
        return passive_session_representations(
            sessions, page_url=lambda s: views.page_url(request, s)
        )


LIVE_EXAMPLE = OpenApiExample(
    "finished, live",
    {
        "sid": "0193a4b2-7c1e-7c3a-9f2e-5d1c2b3a4f50",
        "status": "FINISHED",
        "success_url": "https://merchant.example/done",
        "cancel_url": "https://merchant.example/back",
        "url": "https://liveness.example/face/passive-liveness/3q2-…",
        "expired": 1764835200000,
        "created_at": "2026-12-03T10:00:00.000Z",
        "result": {"status": "success", "result": {"spoof_percentage": 0.031, "status": "LOW"}},
    },
    response_only=True,
)


class PassiveSessionCollectionView(PassiveSessionAPIView, views.SessionCollectionView):
    create_serializer_class = PassiveSessionCreateSerializer

    @extend_schema(
        operation_id="passive_liveness_sessions_create",
        request=PassiveSessionCreateSerializer,
        responses={201: PassiveSessionSerializer, **errors(415)},
        summary="Create a passive-liveness session (GLAIR's faceBio.passiveLivenessSessions)",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    @extend_schema(
        operation_id="passive_liveness_sessions_list",
        parameters=[ListQuerySerializer],
        responses={200: PassiveSessionSerializer(many=True), **errors()},
        summary="List this merchant's passive sessions after `start`, ascending by sid",
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class PassiveSessionDetailView(PassiveSessionAPIView, views.SessionDetailView):
    @extend_schema(
        operation_id="passive_liveness_sessions_retrieve",
        parameters=[SID],
        responses={200: PassiveSessionSerializer, **errors(404)},
        examples=[LIVE_EXAMPLE],
        summary="Retrieve a passive session and its result",
    )
    def get(self, request: Request, sid: str) -> Response:
        return super().get(request, sid)

    @extend_schema(
        operation_id="passive_liveness_sessions_delete",
        parameters=[SID],
        responses={204: None, **errors(404)},
        summary="Delete a passive session: revoke its page and delete its stored images",
    )
    def delete(self, request: Request, sid: str) -> Response:
        return super().delete(request, sid)


class PassiveSessionImagesView(PassiveSessionAPIView, views.SessionImagesView):
    image_route = "passive-session-image"

    @extend_schema(
        operation_id="passive_liveness_sessions_images",
        parameters=[SID],
        responses={200: ImagesSerializer, **errors(404)},
        summary="The stored reference frame and audit frames (one per attempt's end)",
    )
    def get(self, request: Request, sid: str) -> Response:
        return super().get(request, sid)


class PassiveSessionImageView(PassiveSessionAPIView, views.SessionImageView):
    @extend_schema(
        operation_id="passive_liveness_sessions_image",
        parameters=[SID, IMAGE_ID],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **errors(404)},
        summary="One stored frame, as JPEG",
    )
    def get(self, request: Request, sid: str, image_id: str) -> FileResponse:
        return super().get(request, sid, image_id)


class PassiveSessionAuditView(PassiveSessionAPIView, views.SessionAuditView):
    @extend_schema(
        operation_id="passive_liveness_sessions_audit",
        parameters=[SID],
        responses={200: AuditSerializer, **errors(404)},
        summary="What happened, in order: connections, starts, failed attempts, the verdict",
    )
    def get(self, request: Request, sid: str) -> Response:
        return super().get(request, sid)


class PassiveSessionWebhooksView(PassiveSessionAPIView, views.SessionWebhooksView):
    @extend_schema(
        operation_id="passive_liveness_sessions_webhooks",
        parameters=[SID],
        responses={200: WebhookDeliveriesSerializer, **errors(404)},
        summary="The passive session's webhook deliveries and their attempts",
    )
    def get(self, request: Request, sid: str) -> Response:
        return super().get(request, sid)
