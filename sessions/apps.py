from __future__ import annotations

from django.apps import AppConfig


class LivenessSessionsConfig(AppConfig):
    name = "sessions"
    # django.contrib.sessions already owns the label "sessions".
    label = "liveness_sessions"
    verbose_name = "Liveness sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sessions import checks  # noqa: F401  (registers system checks)
