"""The distributed mode under real faults, on real processes: daphne, a Celery worker, a Redis
server of the test's own and PostgreSQL behind a TCP proxy the test can cut.

The "user" is `PageClient` (the page's socket behaviour) showing real clip frames: a neutral
face until the fault is in place, then the gesture. Every verdict must land exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.distributed import (
    Cluster,
    RedisServer,
    TcpProxy,
    assert_one_verdict,
    postgres_address,
)
from tests.support.live import LiveServer
from tests.support.socket_client import PageClient, clip_jpegs, ping_pong, run_in_thread

pytestmark = [pytest.mark.redis, pytest.mark.slow]

CLIP = "lp_d18_mouth_open.mp4"  # frontal; the mouth opens wide about 2.1 s in
SHOP: dict[str, str] = {}  # the cluster's merchant, created with it
IDLE_S = 13  # past redis-py's 5 s socket timeout and channels-redis's 5 s blocking read, twice


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def db_proxy() -> Iterator[TcpProxy]:
    with TcpProxy(postgres_address()) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, db_proxy: TcpProxy
) -> Iterator[Cluster]:
    data_dir = tmp_path_factory.mktemp("cluster")
    with Cluster(data_dir, redis_url=redis_server.url, database_port=db_proxy.port) as running:
        SHOP.update(running.server.create_merchant("Fault Shop"))
        yield running


@pytest.fixture(autouse=True)
def _logs_when_failed(request: pytest.FixtureRequest, cluster: Cluster) -> Iterator[None]:
    """A failed fault test prints what daphne and the worker said (the clock in their lines is
    the one in the page's messages' `t`)."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        print(cluster.log())


@pytest.fixture(scope="module")
def neutral(shared_data: Path) -> list[bytes]:
    """The frontal face before the mouth moves, looped without a seam."""
    return ping_pong(clip_jpegs(shared_data / "videos" / CLIP, frames=slice(0, 14)))


@pytest.fixture(scope="module")
def gesture(shared_data: Path) -> list[bytes]:
    return clip_jpegs(shared_data / "videos" / CLIP)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def page_on(
    server: LiveServer, session: dict[str, Any], frames: list[bytes]
) -> Iterator[tuple[PageClient, Future[PageClient]]]:
    ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
    client = PageClient(ws_url, server.url, frames)
    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(asyncio.run, client.run())
        try:
            yield client, done
        except BaseException:
            for message in client.messages:  # what the page heard, to explain the failure
                at = time.strftime("%H:%M:%S", time.localtime(message["t"]))
                shown = {k: v for k, v in message.items() if k not in ("t", "challenge", "hold")}
                print(f"{at}.{round(message['t'] * 1000) % 1000:03d}", shown)
            raise
        finally:
            client.stopped = True
            done.result(timeout=30)


def new_session(cluster: Cluster) -> dict[str, Any]:
    return cluster.server.create_session(SHOP, gestures=["HEAD_OPEN_MOUTH"])


def audit_kinds(server: LiveServer, merchant: dict[str, str], sid: str) -> list[str]:
    return [e["kind"] for e in server.get_session(merchant, sid, "/audit")["events"]]


def assert_passed_first_time(cluster: Cluster, client: PageClient, sid: str) -> None:
    assert client.result is not None and client.result["outcome"] == "passed", client.messages[-5:]
    assert not client.seen("attempt_failed")
    assert_one_verdict(cluster, sid)
    stored = cluster.server.get_session(SHOP, sid)
    assert stored["result"]["result"]["gesture_status"] == "MATCH"
    kinds = audit_kinds(cluster.server, SHOP, sid)
    assert "attempt_failed" not in kinds and kinds.count("gesture_matched") == 1
    # Every socket that connected is recorded as gone, however it ended.
    assert kinds.count("connected") == kinds.count("disconnected")


# --- a. idle sockets ------------------------------------------------------------------------
async def _idle_then_ping(server: LiveServer, session: dict[str, Any]) -> dict[str, Any]:
    ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
    async with websockets.connect(ws_url, origin=server.url) as ws:
        assert json.loads(await ws.recv())["type"] == "state"
        await asyncio.sleep(IDLE_S)
        await ws.send(json.dumps({"type": "ping"}))
        return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))


def test_an_idle_socket_stays_open_and_answers_the_heartbeat_in_both_modes(
    cluster: Cluster, tmp_path: Path
) -> None:
    with LiveServer(tmp_path) as embedded:
        servers = [(embedded, embedded.create_merchant("Embedded Shop")), (cluster.server, SHOP)]
        sessions = [server.create_session(m, gestures=["HEAD_LEFT"]) for server, m in servers]

        async def both() -> list[dict[str, Any]]:
            idle = [
                _idle_then_ping(s, session)
                for (s, _), session in zip(servers, sessions, strict=True)
            ]
            return list(await asyncio.gather(*idle))

        assert run_in_thread(both()) == [{"type": "pong"}, {"type": "pong"}]
        for (server, merchant), session in zip(servers, sessions, strict=True):
            kinds = partial(audit_kinds, server, merchant, session["sid"])
            wait_for(lambda: "disconnected" in kinds(), "the disconnected event", timeout=20)  # noqa: B023


# --- b. a worker dies -----------------------------------------------------------------------
def test_a_killed_worker_pauses_the_challenge_and_costs_no_attempt(
    cluster: Cluster, neutral: list[bytes], gesture: list[bytes]
) -> None:
    session = new_session(cluster)
    time_limit_s = 8.0  # gestures/config.py gesture_time_limit_ms
    with page_on(cluster.server, session, neutral) as (client, done):
        wait_for(lambda: client.seen("challenge"), "the challenge")
        opened = time.monotonic()
        cluster.kill_worker()
        wait_for(lambda: client.seen("paused", reason="analysis_unavailable"), "paused")
        # Down for longer than the challenge's time limit: a running timer would fail it.
        time.sleep(max(0.0, opened + time_limit_s + 1 - time.monotonic()))
        cluster.start_worker()
        wait_for(lambda: client.seen("resumed"), "resumed")
        assert client.seen("frame_result")[-1]["phase"] == "challenge"
        client.show(gesture)
        wait_for(lambda: done.done(), "the verdict", timeout=60)
    assert client.connections == 1
    assert_passed_first_time(cluster, client, session["sid"])


# --- c. the ASGI server restarts ------------------------------------------------------------
def test_a_restarted_asgi_server_resumes_the_session(
    cluster: Cluster, neutral: list[bytes], gesture: list[bytes]
) -> None:
    session = new_session(cluster)
    with page_on(cluster.server, session, neutral) as (client, done):
        wait_for(lambda: client.seen("challenge"), "the challenge")
        cluster.server.stop()
        cluster.server.start()
        # The page reconnects by itself and the run resumes: the challenge opens again.
        wait_for(lambda: [m for m in client.seen("challenge") if m["conn"] > 1], "challenge again")
        client.show(gesture)
        wait_for(lambda: done.done(), "the verdict", timeout=60)
    assert client.connections >= 2
    assert client.result is not None and client.result["outcome"] == "passed"
    assert not client.seen("attempt_failed")
    assert_one_verdict(cluster, session["sid"])


# --- e. PostgreSQL unreachable --------------------------------------------------------------
def test_an_unreachable_database_pauses_and_the_verdict_lands_once_it_is_back(
    cluster: Cluster, db_proxy: TcpProxy, neutral: list[bytes], gesture: list[bytes]
) -> None:
    session = new_session(cluster)
    with page_on(cluster.server, session, neutral) as (client, done):
        wait_for(lambda: client.seen("challenge"), "the challenge")
        db_proxy.cut()
        try:
            client.show(gesture)
            # The gesture is made; its writes and the verdict wait for the database.
            wait_for(lambda: client.seen("paused", reason="storage_unavailable"), "paused")
            assert not client.result
            # Another socket for the session is told to come back later, not left hanging.
            assert run_in_thread(_close_code(cluster.server, session)) == 4503
        finally:
            db_proxy.restore()
        wait_for(lambda: done.done(), "the verdict", timeout=60)
    assert client.connections == 1
    assert_passed_first_time(cluster, client, session["sid"])


async def _close_code(server: LiveServer, session: dict[str, Any]) -> int | None:
    ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
    async with websockets.connect(ws_url, origin=server.url) as ws:
        with contextlib.suppress(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 20)
    return ws.close_code


# --- d. Redis restarts (last: it empties the broker and the channel layer) -------------------
def test_a_restarted_redis_loses_no_verdict(
    cluster: Cluster, redis_server: RedisServer, neutral: list[bytes], gesture: list[bytes]
) -> None:
    session = new_session(cluster)
    with page_on(cluster.server, session, neutral) as (client, done):
        wait_for(lambda: client.seen("challenge"), "the challenge")
        redis_server.stop()
        time.sleep(1)
        redis_server.start()
        answered = len(client.seen("frame_result"))
        # Sockets, the broker and the worker's replies find the new Redis by themselves.
        wait_for(lambda: len(client.seen("frame_result")) > answered + 3, "frames answered again")
        client.show(gesture)
        wait_for(lambda: done.done(), "the verdict", timeout=60)
    assert client.result is not None and client.result["outcome"] == "passed"
    assert not client.seen("attempt_failed")
    assert_one_verdict(cluster, session["sid"])
    kinds = audit_kinds(cluster.server, SHOP, session["sid"])
    assert kinds.count("connected") == kinds.count("disconnected")
