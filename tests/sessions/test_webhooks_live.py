"""Webhooks with real processes: the README's own receiver as the merchant, in the embedded
mode (daphne's webhook thread) and the distributed one (Celery worker + beat, PostgreSQL,
Redis), and a Celery worker killed mid-delivery.

Sessions are ended by the clock: the test moves `expires_at` into the past in the database
and never reads the session, so the periodic job alone must expire it and send the event.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.distributed import Cluster
from tests.support.live import ROOT, LiveServer, free_port
from tests.support.prerequisites import require
from tests.support.receiver import Answer, Receiver, verify

pytestmark = [pytest.mark.redis, pytest.mark.slow]
# Seconds, not minutes: retries, sweeps and leases scaled down for the test.
FAST = {
    "LIVENESS_WEBHOOK_ALLOW_PRIVATE": "1",
    "LIVENESS_WEBHOOK_SWEEP_S": "0.5",
    "LIVENESS_WEBHOOK_RETRY_FIRST_S": "0.3",
    "LIVENESS_WEBHOOK_RETRY_MAX_S": "1",
    "LIVENESS_WEBHOOK_TIMEOUT_S": "2",
    "LIVENESS_WEBHOOK_LEASE_S": "7",
}


def readme_block(marker: str) -> str:
    """The fenced code block that follows `<!-- marker -->` in the README."""
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)\n```", text, re.S)
    assert found, f"README has no block marked {marker}"
    return found.group(1)


class ReadmeReceiver:
    """The README's Python receiver, run as a merchant would run it, on `port`."""

    def __init__(self, tmp_path: Path, secret: str, port: int) -> None:
        script = tmp_path / "receiver.py"
        script.write_text(readme_block("webhook-receiver-python"))
        self.out = (tmp_path / "receiver.out").open("w+")
        self.process = subprocess.Popen(
            [sys.executable, str(script)],
            env={"WEBHOOK_SECRET": secret, "PORT": str(port), "PATH": "/usr/bin:/bin"},
            stdout=self.out,
            stderr=subprocess.DEVNULL,
        )

    def lines(self) -> list[str]:
        self.out.seek(0)
        return [line.strip() for line in self.out.read().splitlines() if line.strip()]

    def wait_for(self, count: int, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.lines()) < count:
            time.sleep(0.2)
        return self.lines()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.out.close()


def _expire_in_sqlite(data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "db.sqlite3") as conn:
        conn.execute("update liveness_sessions_livenesssession set expires_at = '2000-01-01'")


def _expire_in_postgres(cluster: Cluster, sids: list[str]) -> None:
    with psycopg.connect(cluster.server.env["DATABASE_URL"]) as conn:
        conn.execute(
            "update liveness_sessions_livenesssession set expires_at = now() - interval '1 s'"
            " where sid = any(%s::uuid[])",
            (sids,),
        )


def _check_one_event_each(lines: list[str], sids: list[str]) -> None:
    events = [line.split() for line in lines]
    assert sorted(sid for _, _, sid, _ in events) == sorted(sids)  # one per session, no more
    assert {(kind, status) for _, kind, _, status in events} == {("session.expired", "EXPIRED")}


@pytest.fixture(scope="module")
def shop(cluster: Cluster) -> dict[str, str]:
    """The cluster's merchant, as `create_merchant` printed it (webhook_secret included)."""
    return cluster.server.create_merchant("Hook Shop")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One distributed deployment for this module: daphne, and a Celery worker that takes
    both queues and runs beat (`-B`), as `dev.py start --distributed` splits in three."""
    data_dir = tmp_path_factory.mktemp("webhooks-cluster")
    with Cluster(
        data_dir,
        pool="threads",
        concurrency=4,
        env=FAST,
        worker_args=("-Q", "celery,webhooks", "-B"),
    ) as running:
        yield running


def test_the_readme_receiver_gets_one_verified_event_per_session_embedded(
    tmp_path: Path,
) -> None:
    port = free_port()
    with LiveServer(tmp_path, {**FAST, "LIVENESS_WEBHOOK_EMBEDDED_SCHEDULER": "1"}) as server:
        creds = server.create_merchant("Hook Shop")
        hook = f"http://127.0.0.1:{port}/liveness"
        sids = [server.create_session(creds, webhook_url=hook)["sid"] for _ in range(2)]
        _expire_in_sqlite(tmp_path)  # the receiver is down
        db = tmp_path / "db.sqlite3"
        _wait_for_failed_attempts(lambda: _count_in_sqlite(db))
        receiver = ReadmeReceiver(tmp_path, creds["webhook_secret"], port)
        try:
            receiver.wait_for(2)
            time.sleep(1.0)  # time enough for a duplicate to show up, if there were one
            _check_one_event_each(receiver.lines(), sids)
        finally:
            receiver.stop()
        listed = server.get_session(creds, sids[0], "/webhooks")["deliveries"]
        assert [d["status"] for d in listed] == ["DELIVERED"]
        assert listed[0]["attempts"][0]["status_code"] is None  # refused while it was down


def test_the_readme_receiver_gets_one_verified_event_per_session_distributed(
    cluster: Cluster, shop: dict[str, str], tmp_path: Path
) -> None:
    server, creds = cluster.server, shop
    port = free_port()
    hook = f"http://127.0.0.1:{port}/liveness"
    sids = [server.create_session(creds, webhook_url=hook)["sid"] for _ in range(2)]
    _expire_in_postgres(cluster, sids)
    url = server.env["DATABASE_URL"]
    _wait_for_failed_attempts(lambda: _count_in_postgres(url))
    receiver = ReadmeReceiver(tmp_path, creds["webhook_secret"], port)
    try:
        receiver.wait_for(2)
        time.sleep(1.0)
        _check_one_event_each(receiver.lines(), sids)
    finally:
        receiver.stop()


def test_a_worker_killed_mid_delivery_loses_nothing(cluster: Cluster, shop: dict[str, str]) -> None:
    server, creds = cluster.server, shop
    with Receiver(Answer(hold=True), Answer(status=200)) as receiver:
        sid = server.create_session(creds, webhook_url=receiver.url)["sid"]
        _expire_in_postgres(cluster, [sid])
        receiver.wait_for(1)  # the worker is waiting for our answer...
        cluster.kill_worker()  # ...and dies (SIGKILL, beat with it)
        receiver.release()
        held = server.get_session(creds, sid, "/webhooks")["deliveries"]
        assert [(d["status"], len(d["attempts"])) for d in held] == [("DELIVERING", 1)]
        cluster.start_worker()  # a new worker; once the lease runs out, the sweep hands it on
        first, second = receiver.wait_for(2, timeout=60)
    assert first.event["id"] == second.event["id"] and first.body == second.body
    for request in (first, second):
        assert verify(
            creds["webhook_secret"], request.headers["X-Liveness-Signature"], request.body
        )
    [delivery] = _settled(server, creds, sid)
    assert delivery["id"] == first.event["id"] and delivery["status"] == "DELIVERED"
    attempts = delivery["attempts"]
    assert attempts[0]["error"].startswith("interrupted") and attempts[-1]["status_code"] == 200


ATTEMPTS = (
    "select count(*) from liveness_sessions_webhookattempt a"
    " join liveness_sessions_webhookdelivery d on d.id = a.delivery_id"
)


def _count_in_sqlite(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(ATTEMPTS).fetchone()[0])
    finally:
        conn.close()


def _count_in_postgres(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(ATTEMPTS).fetchone()
    return int(row[0]) if row else 0


def _wait_for_failed_attempts(count: Any) -> None:
    """Until the periodic job has expired the sessions and their events failed at least once
    (read in the database itself: the API would expire the sessions as it reads them)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if count() >= 2:
            return
        time.sleep(0.2)
    raise AssertionError("the periodic job made no delivery attempt")


def _settled(server: LiveServer, creds: dict[str, str], sid: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        deliveries: list[dict[str, Any]] = server.get_session(creds, sid, "/webhooks")["deliveries"]
        if all(d["status"] == "DELIVERED" for d in deliveries) or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.2)


def test_the_readme_node_receiver_verifies_the_signature(tmp_path: Path) -> None:
    from sessions.services.webhooks import sign
    from sessions.webhook_http import post

    require(shutil.which("node") is not None, "node not installed (apt-get install nodejs)")
    script = tmp_path / "receiver.mjs"
    script.write_text(readme_block("webhook-receiver-node"))
    port, secret = free_port(), "whsec_node"
    node = subprocess.Popen(
        ["node", str(script)],
        env={"WEBHOOK_SECRET": secret, "PORT": str(port), "PATH": os.environ["PATH"]},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        body = b'{"id":"d1","type":"session.expired","data":{"sid":"s1","status":"EXPIRED"}}'
        url = f"http://127.0.0.1:{port}/liveness"

        def send(signature: str) -> int | None:
            for _ in range(50):  # until node listens
                outcome = post(
                    url,
                    body,
                    {"X-Liveness-Signature": signature},
                    timeout_s=2,
                    allow_private=True,
                )
                if outcome.status_code is not None:
                    return outcome.status_code
                time.sleep(0.1)
            return None

        assert send(sign("whsec_other", body)) == 400
        assert send(sign(secret, body)) == 204
        assert send(sign(secret, body)) == 204  # the same delivery again: handled once
        assert send(sign(secret, body, at=int(time.time()) - 3600)) == 400  # a replay
    finally:
        node.terminate()
        output, _ = node.communicate(timeout=10)
    assert output.split() == ["d1", "session.expired", "s1", "EXPIRED"]
