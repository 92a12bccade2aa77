"""`GET /face/v1/health`: is the service up, and how loaded is it (sessions.services.load)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions.services.load import load_current


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["ok", "busy"], help_text="busy: new runs wait (their pages retry by themselves)"
    )
    accepting_sessions = serializers.BooleanField()
    active_sessions = serializers.IntegerField(
        min_value=0, help_text="live runs in progress (Start pressed, socket open), all servers"
    )
    max_active_sessions = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="LIVENESS_MAX_ACTIVE_SESSIONS; null: no limit"
    )
    load = serializers.FloatField(
        min_value=0, allow_null=True, help_text="active_sessions / max_active_sessions"
    )
    queued_frames = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        help_text="frames waiting for a Celery worker (distributed mode; null when embedded)",
    )
    retry_after_s = serializers.IntegerField(
        min_value=0, help_text="when busy: how long a waiting page waits before it tries again"
    )


class HealthView(APIView):
    """No credentials needed (a load balancer's probe): it tells only the load."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health",
        responses={200: HealthSerializer},
        summary="Service health and load",
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(load_current().to_dict())
