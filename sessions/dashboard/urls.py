from __future__ import annotations

from django.urls import path

from sessions.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.session_list, name="session-list"),
    path("sessions/<str:sid>/", views.session_detail, name="session-detail"),
    path("sessions/<str:sid>/reviews", views.session_review_add, name="session-review-add"),
    path("sessions/<str:sid>/images/<int:image_id>", views.session_image, name="session-image"),
    path(
        "sessions/<str:sid>/webhooks/<str:delivery_id>/resend",
        views.webhook_resend,
        name="webhook-resend",
    ),
]
