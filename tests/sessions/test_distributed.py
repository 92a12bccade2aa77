"""Distributed mode with real processes: daphne and a Celery worker, PostgreSQL, Redis."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support.distributed import Cluster
from tests.support.receiver import Receiver, verify
from tests.support.socket_client import run_in_thread, stream_clip

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def test_frames_go_through_celery_workers_and_the_verdict_lands_in_postgres(
    shared_data: Path, tmp_path: Path
) -> None:
    webhooks = {"LIVENESS_WEBHOOK_ALLOW_PRIVATE": "1"}
    with (
        Receiver() as receiver,
        Cluster(tmp_path, env=webhooks, worker_args=("-Q", "celery,webhooks")) as cluster,
    ):
        server = cluster.server
        creds = server.create_merchant("Distributed Shop")
        session = server.create_session(
            creds,
            success_url="https://m.example/ok",
            gestures=["HEAD_OPEN_MOUTH"],
            webhook_url=receiver.url,
        )
        ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
        clip = shared_data / "videos" / "lp_d18_mouth_open.mp4"
        run = run_in_thread(stream_clip(ws_url, server.url, clip))
        sid = session["sid"]
        assert run.result == {
            "type": "result",
            "outcome": "passed",
            "redirect_url": f"https://m.example/ok?sid={sid}",
        }
        stored = server.get_session(creds, sid)
        assert stored["status"] == "FINISHED" and stored["result"]["status"] == "success"
        # The frames really went through the Celery worker process.
        assert "sessions.analyze_frame" in cluster.worker_log.read_text()
        with psycopg.connect(server.env["DATABASE_URL"]) as conn:
            row = conn.execute(
                "select status from liveness_sessions_livenesssession where sid = %s", (sid,)
            ).fetchone()
        assert row == ("FINISHED",)
        kinds = [e["kind"] for e in server.get_session(creds, sid, "/audit")["events"]]
        assert kinds[0] == "session_created"
        assert {"connected", "started", "challenge_started", "gesture_matched", "verdict"} <= set(
            kinds
        )
        images = server.get_session(creds, sid, "/images")
        assert images["reference"] is not None
        assert [i["gesture"] for i in images["audit"]] == ["HEAD_OPEN_MOUTH"]
        # The verdict's webhook: written by daphne with the verdict, sent by the worker.
        [hook] = receiver.wait_for(1)
        assert verify(creds["webhook_secret"], hook.headers["X-Liveness-Signature"], hook.body)
        assert hook.event["type"] == "session.finished"
        assert hook.event["data"]["result"] == stored["result"]


def test_a_passive_session_goes_through_celery_workers_too(
    shared_data: Path, tmp_path: Path
) -> None:
    with Cluster(tmp_path) as cluster:
        server = cluster.server
        creds = server.create_merchant("Passive Shop")
        status, session = server.api(
            "POST",
            "/face/v1/passive-liveness-sessions",
            creds,
            {"success_url": "https://m.example/ok"},
        )
        assert status == 201, session
        ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
        clip = shared_data / "videos" / "lp_d14_blinks.mp4"
        run = run_in_thread(stream_clip(ws_url, server.url, clip, loops=2))
        sid = session["sid"]
        assert run.result == {
            "type": "result",
            "outcome": "passed",
            "redirect_url": f"https://m.example/ok?sid={sid}",
        }
        status, stored = server.api("GET", f"/face/v1/passive-liveness-sessions/{sid}", creds)
        assert status == 200 and stored["status"] == "FINISHED"
        assert stored["result"]["status"] == "success"
        assert stored["result"]["result"]["status"] in ("LOW", "MODERATE")
        assert "sessions.analyze_frame" in cluster.worker_log.read_text()
