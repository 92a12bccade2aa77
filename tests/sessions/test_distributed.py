"""Distributed mode with real processes: daphne and a Celery worker, PostgreSQL, Redis."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.distributed import Cluster
from tests.socket_client import stream_clip

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def _api(cluster: Cluster, creds: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    import base64

    request = urllib.request.Request(
        cluster.server.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            "x-api-key": creds["api_key"],
            "Authorization": "Basic "
            + base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def test_frames_go_through_celery_workers_and_the_verdict_lands_in_postgres(
    shared_data: Path, tmp_path: Path
) -> None:
    with Cluster(tmp_path) as cluster:
        creds = cluster.server.create_merchant("Distributed Shop")
        session = _api(
            cluster,
            creds,
            "POST",
            "/face/v1/active-liveness-sessions",
            {"success_url": "https://m.example/ok", "gestures": ["HEAD_OPEN_MOUTH"]},
        )
        ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
        run = asyncio.run(
            stream_clip(
                ws_url, cluster.server.url, shared_data / "videos" / "lp_d18_mouth_open.mp4"
            )
        )
        assert run.result == {
            "type": "result",
            "outcome": "passed",
            "redirect_url": f"https://m.example/ok?sid={session['sid']}",
        }
        stored = _api(cluster, creds, "GET", f"/face/v1/active-liveness-sessions/{session['sid']}")
        assert stored["status"] == "FINISHED" and stored["result"]["status"] == "success"
        worker_log = cluster.worker_log.read_text()
        assert "sessions.analyze_frame" in worker_log  # the frames really went through Celery
        with psycopg.connect(cluster.server.env["DATABASE_URL"]) as conn:
            row = conn.execute(
                "select status from liveness_sessions_livenesssession where sid = %s",
                (session["sid"],),
            ).fetchone()
        assert row == ("FINISHED",)
        audit = _api(
            cluster, creds, "GET", f"/face/v1/active-liveness-sessions/{session['sid']}/audit"
        )
        kinds = [e["kind"] for e in audit["events"]]
        assert kinds[0] == "session_created"
        assert "connected" in kinds and "challenge_started" in kinds and "verdict" in kinds
        images = _api(
            cluster, creds, "GET", f"/face/v1/active-liveness-sessions/{session['sid']}/images"
        )
        assert images["reference"] is not None
        assert [i["gesture"] for i in images["audit"]] == ["HEAD_OPEN_MOUTH"]
