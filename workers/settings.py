"""Engine settings from Django, read lazily so this package imports without Django."""

from __future__ import annotations

from typing import Any

from gestures.config import EngineConfig


def engine_config() -> EngineConfig:
    """`EngineConfig` defaults overridden by `settings.LIVENESS_ENGINE` (a dict), if any."""
    return EngineConfig.from_overrides(_django_setting("LIVENESS_ENGINE", {}))


def max_attempts(default: int = 3) -> int:
    return int(_django_setting("LIVENESS_MAX_ATTEMPTS", default))


def _django_setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # Django missing or not configured (bench, plain scripts): defaults.
        return default
