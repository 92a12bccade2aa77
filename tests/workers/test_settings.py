from __future__ import annotations

import pytest

from gestures.config import EngineConfig
from workers.settings import engine_config


def test_engine_settings_override_the_defaults(settings):
    settings.LIVENESS_ENGINE = {"turn_yaw_deg": 20, "gesture_time_limit_ms": 9000}
    config = engine_config()
    assert config.turn_yaw_deg == 20.0 and config.gesture_time_limit_ms == 9000
    assert config.nod_pitch_deg == EngineConfig().nod_pitch_deg


def test_a_misspelt_engine_setting_is_an_error(settings):
    settings.LIVENESS_ENGINE = {"turn_yaw": 20}
    with pytest.raises(ValueError, match="unknown engine settings"):
        engine_config()
