from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sessions.api import active, facematch, health, passive, passive_sessions, views

urlpatterns = [
    # GLAIR's SDKs call these without a trailing slash; accept it with one too.
    re_path(
        r"^active-liveness-sessions/?$", views.SessionCollectionView.as_view(), name="sessions"
    ),
    re_path(
        r"^active-liveness-sessions/(?P<sid>[^/]+)/?$",
        views.SessionDetailView.as_view(),
        name="session-detail",
    ),
    re_path(
        r"^active-liveness-sessions/(?P<sid>[^/]+)/images/?$",
        views.SessionImagesView.as_view(),
        name="session-images",
    ),
    re_path(
        r"^active-liveness-sessions/(?P<sid>[^/]+)/images/(?P<image_id>[0-9]+)/?$",
        views.SessionImageView.as_view(),
        name="session-image",
    ),
    re_path(
        r"^active-liveness-sessions/(?P<sid>[^/]+)/audit/?$",
        views.SessionAuditView.as_view(),
        name="session-audit",
    ),
    re_path(
        r"^active-liveness-sessions/(?P<sid>[^/]+)/webhooks/?$",
        views.SessionWebhooksView.as_view(),
        name="session-webhooks",
    ),
    # GLAIR's passive-liveness sessions (CONTRACT §5): the same extensions, their own kind.
    re_path(
        r"^passive-liveness-sessions/?$",
        passive_sessions.PassiveSessionCollectionView.as_view(),
        name="passive-sessions",
    ),
    re_path(
        r"^passive-liveness-sessions/(?P<sid>[^/]+)/?$",
        passive_sessions.PassiveSessionDetailView.as_view(),
        name="passive-session-detail",
    ),
    re_path(
        r"^passive-liveness-sessions/(?P<sid>[^/]+)/images/?$",
        passive_sessions.PassiveSessionImagesView.as_view(),
        name="passive-session-images",
    ),
    re_path(
        r"^passive-liveness-sessions/(?P<sid>[^/]+)/images/(?P<image_id>[0-9]+)/?$",
        passive_sessions.PassiveSessionImageView.as_view(),
        name="passive-session-image",
    ),
    re_path(
        r"^passive-liveness-sessions/(?P<sid>[^/]+)/audit/?$",
        passive_sessions.PassiveSessionAuditView.as_view(),
        name="passive-session-audit",
    ),
    re_path(
        r"^passive-liveness-sessions/(?P<sid>[^/]+)/webhooks/?$",
        passive_sessions.PassiveSessionWebhooksView.as_view(),
        name="passive-session-webhooks",
    ),
    re_path(
        r"^passive-liveness/?$", passive.PassiveLivenessView.as_view(), name="passive-liveness"
    ),
    re_path(r"^active-liveness/?$", active.ActiveLivenessView.as_view(), name="active-liveness"),
    re_path(r"^match/?$", facematch.FaceMatchView.as_view(), name="face-match"),
    re_path(r"^health/?$", health.HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
