from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sessions.api import views

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
