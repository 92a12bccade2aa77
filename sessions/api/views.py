"""Merchant API views: parse, authorise, call one service or selector, shape the answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from sessions import selectors
from sessions.api.auth import IsMerchant, MerchantAuthentication
from sessions.api.parsers import BoundedJSONParser
from sessions.api.schema import errors
from sessions.api.serializers import (
    AuditSerializer,
    ImagesSerializer,
    ListQuerySerializer,
    SessionCreateSerializer,
    SessionSerializer,
    WebhookDeliveriesSerializer,
    event_representation,
    image_representation,
    session_representations,
    webhook_deliveries_representation,
)
from sessions.ids import parse_sid
from sessions.models import ImageKind, LivenessSession, SessionKind
from sessions.services.sessions import session_create, session_delete, sessions_expire_due

PAGE_ROUTES = {SessionKind.ACTIVE: "liveness-page", SessionKind.PASSIVE: "passive-liveness-page"}


def page_path(session: LivenessSession) -> str:
    """The prebuilt page's path: `/face/active-liveness/<token>` or `/face/passive-liveness/…`."""
    return reverse(PAGE_ROUTES[SessionKind(session.kind)], kwargs={"token": session.page_token})


def page_url(request: Request, session: LivenessSession) -> str:
    path = page_path(session)
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


def page_origin(request: Request) -> str:
    """What `page_url` puts before the path: kept with the session for its webhook events."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


class MerchantAPIView(APIView):
    authentication_classes = [MerchantAuthentication]
    permission_classes = [IsMerchant]
    parser_classes = [BoundedJSONParser]


class SessionAPIView(MerchantAPIView):
    """The sessions of one kind: the active path's views; `sessions.api.passive_sessions`
    subclasses them for the passive path."""

    kind = SessionKind.ACTIVE

    def represent_all(self, request: Request, sessions: Iterable[LivenessSession]) -> list[Any]:
        """The session objects this path answers (CONTRACT §1)."""
        return session_representations(sessions, page_url=lambda s: page_url(request, s))

    def represent(self, request: Request, session: LivenessSession) -> Any:
        return self.represent_all(request, [session])[0]


class SessionCollectionView(SessionAPIView):
    create_serializer_class: type[Serializer] = SessionCreateSerializer

    @extend_schema(
        operation_id="active_liveness_sessions_create",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer, **errors(415)},
        summary="Create an active-liveness session",
    )
    def post(self, request: Request) -> Response:
        body = self.create_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        session = session_create(
            merchant=request.user,
            page_origin=page_origin(request),
            kind=self.kind,
            **body.validated_data,
        )
        return Response(self.represent(request, session), 201)

    @extend_schema(
        operation_id="active_liveness_sessions_list",
        parameters=[ListQuerySerializer],
        responses={200: SessionSerializer(many=True), **errors()},
        summary="List this merchant's sessions after `start`, ascending by sid",
    )
    def get(self, request: Request) -> Response:
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sessions_expire_due(merchant=request.user)
        sessions = selectors.session_list(
            merchant=request.user, kind=self.kind, **query.validated_data
        )
        return Response(self.represent_all(request, sessions))


SID = OpenApiParameter(
    "sid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="the session id"
)
IMAGE_ID = OpenApiParameter(
    "image_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="an id from …/images"
)


class SessionDetailView(SessionAPIView):
    @extend_schema(
        operation_id="active_liveness_sessions_retrieve",
        parameters=[SID],
        responses={200: SessionSerializer, **errors(404)},
        summary="Retrieve a session and its result",
    )
    def get(self, request: Request, sid: str) -> Response:
        sessions_expire_due(merchant=request.user, sid=sid)
        session = selectors.session_get(merchant=request.user, sid=sid, kind=self.kind)
        return Response(self.represent(request, session))

    @extend_schema(
        operation_id="active_liveness_sessions_delete",
        parameters=[SID],
        responses={204: None, **errors(404)},
        summary="Delete a session: revoke its page and delete its stored images",
    )
    def delete(self, request: Request, sid: str) -> Response:
        session_delete(merchant=request.user, sid=sid, kind=self.kind)
        return Response(status=204)


class SessionImagesView(SessionAPIView):
    image_route = "session-image"

    @extend_schema(
        operation_id="active_liveness_sessions_images",
        parameters=[SID],
        responses={200: ImagesSerializer, **errors(404)},
        summary="The stored reference frame and audit frames (one per challenge, at most 4)",
    )
    def get(self, request: Request, sid: str) -> Response:
        sessions_expire_due(merchant=request.user, sid=sid)
        session, images = selectors.session_images(merchant=request.user, sid=sid, kind=self.kind)
        shaped = [
            image_representation(
                image,
                url=request.build_absolute_uri(
                    reverse(self.image_route, kwargs={"sid": session.sid, "image_id": image.pk})
                ),
                gestures=session.gestures,
            )
            for image in images
        ]
        reference = next((i for i in shaped if i["kind"] == ImageKind.REFERENCE), None)
        audit = [i for i in shaped if i["kind"] == ImageKind.AUDIT]
        answer = {"sid": str(session.sid), "reference": reference, "audit": audit}
        verify = next((i for i in shaped if i["kind"] == ImageKind.VERIFY), None)
        if verify is not None:
            answer["verify"] = verify
        return Response(answer)


class SessionImageView(SessionAPIView):
    @extend_schema(
        operation_id="active_liveness_sessions_image",
        parameters=[SID, IMAGE_ID],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **errors(404)},
        summary="One stored frame, as JPEG",
    )
    def get(self, request: Request, sid: str, image_id: str) -> FileResponse:
        image = selectors.session_image(
            merchant=request.user, sid=sid, image_id=image_id, kind=self.kind
        )
        return FileResponse(image.image.open("rb"), content_type=image.content_type)


class SessionAuditView(SessionAPIView):
    @extend_schema(
        operation_id="active_liveness_sessions_audit",
        parameters=[SID],
        responses={200: AuditSerializer, **errors(404)},
        summary="What happened, in order: connections, challenges, gesture events, verdicts",
    )
    def get(self, request: Request, sid: str) -> Response:
        sessions_expire_due(merchant=request.user, sid=sid)
        session, events = selectors.session_audit(merchant=request.user, sid=sid, kind=self.kind)
        return Response(
            {
                "sid": str(session.sid),
                "status": session.status,
                "events": [event_representation(e) for e in events],
            }
        )


class SessionWebhooksView(SessionAPIView):
    @extend_schema(
        operation_id="active_liveness_sessions_webhooks",
        parameters=[SID],
        responses={200: WebhookDeliveriesSerializer, **errors(404)},
        summary="The session's webhook deliveries and their attempts",
    )
    def get(self, request: Request, sid: str) -> Response:
        sessions_expire_due(merchant=request.user, sid=sid)
        deliveries = selectors.webhook_deliveries(merchant=request.user, sid=sid, kind=self.kind)
        return Response(webhook_deliveries_representation(parse_sid(sid), deliveries))
