from __future__ import annotations

from django.urls import path

from sessions.consumers import LivenessConsumer

websocket_urlpatterns = [
    path("ws/active-liveness/<str:token>", LivenessConsumer.as_asgi()),
    # A passive session's page (the token decides which session and kind; same consumer).
    path("ws/passive-liveness/<str:token>", LivenessConsumer.as_asgi()),
]
