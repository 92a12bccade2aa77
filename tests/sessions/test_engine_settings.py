"""The settings the server hands down to gestures/ and workers/, and the checks that refuse bad
ones at start (sessions.engine, sessions.checks)."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gestures.challenge import ChallengeRun
from gestures.config import EngineConfig
from gestures.steps import Step
from sessions.checks import check_engine_settings, check_run_limits
from sessions.engine import challenge_info, engine_config, frame_limits
from sessions.tasks import analyze_frame_payload


def test_engine_settings_override_the_defaults(settings):
    settings.LIVENESS_ENGINE = {"turn_yaw_deg": 20, "gesture_time_limit_ms": 9000}
    config = engine_config()
    assert config.turn_yaw_deg == 20.0 and config.gesture_time_limit_ms == 9000
    assert config.nod_pitch_deg == EngineConfig().nod_pitch_deg


def test_the_default_settings_pass_the_checks():
    assert check_engine_settings() == []
    assert check_run_limits() == []


@pytest.mark.parametrize(
    "engine, problem",
    [
        ({"turn_yaw": 20}, "unknown engine settings: turn_yaw"),
        ({"turn_yaw_deg": "20"}, "must be a number"),
        ({"turn_yaw_deg": True}, "must be a number"),
        ({"gesture_time_limit_ms": -1}, "must not be negative: gesture_time_limit_ms"),
        (["turn_yaw_deg"], "must be a dict"),
    ],
)
def test_a_bad_engine_override_is_a_check_error(settings, engine, problem):
    settings.LIVENESS_ENGINE = engine
    errors = check_engine_settings()
    assert [e.id for e in errors] == ["liveness.E050"]
    assert problem in errors[0].msg


@pytest.mark.parametrize(
    "name, value, error_id",
    [
        ("LIVENESS_FRAME_MAX_BYTES", 0, "liveness.E051"),
        ("LIVENESS_FRAME_MAX_PIXELS", -64, "liveness.E051"),
        ("LIVENESS_FRAME_MAX_PIXELS", 2.5e6, "liveness.E051"),
        ("LIVENESS_MAX_ATTEMPTS", 0, "liveness.E052"),
    ],
)
def test_a_bad_limit_is_a_check_error(settings, name, value, error_id):
    setattr(settings, name, value)
    errors = check_run_limits()
    assert [e.id for e in errors] == [error_id]
    assert repr(value) in errors[0].msg


def test_a_bad_engine_setting_stops_the_server_at_start(settings):
    # `manage.py check` (and migrate, which dev.py start runs first) refuse to go on.
    settings.LIVENESS_ENGINE = {"turn_yaw": 20}
    with pytest.raises(SystemCheckError, match=r"liveness\.E050"):
        call_command("check")


def test_frame_analysis_uses_the_frame_limits_of_the_settings(settings):
    ok, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), 128, np.uint8))
    assert ok
    image = base64.b64encode(jpeg.tobytes()).decode()
    settings.LIVENESS_FRAME_MAX_PIXELS = 160 * 120 - 1
    assert frame_limits().max_pixels == 160 * 120 - 1
    answer = analyze_frame_payload(image)
    assert answer["ok"] is False and answer["code"] == "too_many_pixels", answer
    settings.LIVENESS_FRAME_MAX_BYTES = len(jpeg) - 1
    assert analyze_frame_payload(image)["code"] == "too_large"


@pytest.mark.parametrize(
    "gesture, rate",
    [("HEAD_00", 15), ("HEAD_11", 15), ("HEAD_LEFT", None), ("HEAD_OPEN_MOUTH", None)],
)
def test_an_eye_challenge_asks_the_page_for_its_frame_rate(gesture, rate):
    run = ChallengeRun([gesture], EngineConfig(), 3, interactive=True)
    step = Step("challenge", "ok", 1, 2, 0, 1, gesture=gesture, remaining_ms=8000)
    assert challenge_info(run, step)["frame_rate"] == rate


def test_the_eye_frame_rate_is_a_setting(settings):
    settings.LIVENESS_ENGINE = {"eye_frame_rate": 12}
    assert engine_config().eye_frame_rate == 12


def test_the_hand_models_are_checked_only_when_a_hand_gesture_is_enabled(settings, monkeypatch):
    from sessions import checks

    assert checks.check_hand_models() == []  # the pinned wheel has them
    monkeypatch.setattr(checks.Path, "exists", lambda self: False)
    assert {e.id for e in checks.check_hand_models()} == {"liveness.E022"}
    settings.LIVENESS_ENABLED_GESTURES = ["HEAD_LEFT", "HEAD_UP"]
    assert checks.check_hand_models() == []
