"""Admission of live runs and the health endpoint (sessions.services.load)."""

from __future__ import annotations

import os
import time

import pytest

from sessions.services import load
from tests.support.prerequisites import require

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def register(settings, request):
    """A fresh register, embedded (in-process) or on the real Redis."""
    settings.REDIS_URL = request.param
    fresh = load._Register()
    if request.param:
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            require(False, f"Redis not reachable at {REDIS_URL}: {exc}")
        fresh._client().delete(load._KEY)
    original, load._register = load._register, fresh
    yield fresh
    load._register = original
    if request.param:
        fresh._client().delete(load._KEY)


BOTH = pytest.mark.parametrize(
    "register", ["", REDIS_URL], indirect=True, ids=["embedded", "redis"]
)


@BOTH
def test_past_capacity_new_runs_wait_and_resumed_runs_are_readmitted(register, settings):
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 2
    assert load.run_admit(member="a", resumed=False)
    assert load.run_admit(member="b", resumed=False)
    assert load.run_admit(member="a", resumed=False)  # already counted: still admitted
    assert not load.run_admit(member="c", resumed=False)
    assert load.load_current().busy
    assert load.run_admit(member="d", resumed=True)  # a reconnect of a running session
    assert load.load_current().active == 3
    load.run_release(member="a")
    load.run_release(member="b")
    assert load.run_admit(member="c", resumed=False)
    assert load.load_current().to_dict()["active_sessions"] == 2


@BOTH
def test_no_limit_when_capacity_is_zero(register, settings):
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 0
    assert all(load.run_admit(member=str(i), resumed=False) for i in range(50))
    assert not load.load_current().busy


@BOTH
def test_runs_of_a_server_that_died_age_out(register, settings, monkeypatch):
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 1
    assert load.run_admit(member="gone", resumed=False)
    assert not load.run_admit(member="new", resumed=False)
    later = time.time() + load.STALE_S + 1
    monkeypatch.setattr(load.time, "time", lambda: later)
    assert load.run_admit(member="new", resumed=False)
    assert load.load_current().active == 1


@BOTH
def test_a_refreshed_run_stays_counted(register, settings, monkeypatch):
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 1
    assert load.run_admit(member="live", resumed=False)
    now = time.time()
    monkeypatch.setattr(load.time, "time", lambda: now + load.STALE_S - 1)
    load.run_refresh(member="live")
    monkeypatch.setattr(load.time, "time", lambda: now + load.STALE_S + 5)
    assert not load.run_admit(member="other", resumed=False)


@BOTH
@pytest.mark.django_db
def test_the_health_endpoint_reports_the_load_without_credentials(register, settings, client):
    settings.LIVENESS_MAX_ACTIVE_SESSIONS = 1
    settings.LIVENESS_BUSY_RETRY_S = 7
    body = client.get("/face/v1/health").json()
    assert body["status"] == "ok" and body["accepting_sessions"] is True
    assert body["active_sessions"] == 0 and body["max_active_sessions"] == 1
    load.run_admit(member="x", resumed=False)
    answer = client.get("/face/v1/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body == {
        "status": "busy",
        "accepting_sessions": False,
        "active_sessions": 1,
        "max_active_sessions": 1,
        "load": 1.0,
        "queued_frames": body["queued_frames"],
        "retry_after_s": 7,
    }
    assert (body["queued_frames"] is None) == (settings.REDIS_URL == "")
