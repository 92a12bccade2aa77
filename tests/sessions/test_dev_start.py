"""`python3.11 dev.py start --distributed` as an operator runs it: real daphne, real Celery
workers, PostgreSQL and a Redis of the test's own; stopped as Ctrl-C stops it."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.clips import b64
from tests.support.distributed import (
    RedisServer,
    create_database,
    database_url,
    drop_database,
    services_available,
)
from tests.support.live import ROOT, free_port
from tests.support.socket_client import clip_jpegs, run_in_thread

pytestmark = [pytest.mark.redis, pytest.mark.slow]
PYTHON = shutil.which("python3.11") or sys.executable  # dev.py runs on the system Python


class DevStart:
    """dev.py start --distributed in a subprocess, its output in a file."""

    def __init__(self, tmp_path: Path, redis_url: str, db_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "dev-start.log"
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            DATABASE_URL=db_url,
            REDIS_URL=redis_url,
            HOST="127.0.0.1",
            PORT=str(self.port),
            GLAIR_DATA_DIR=str(tmp_path / "data"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LIVENESS_WORKERS="1",  # this machine's cores are shared with the rest of the suite
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, str(ROOT / "dev.py"), "start", "--distributed"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> dict[str, str]:
        """The demo merchant's credentials, once daphne answers and the worker consumes."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dev.py exited early:\n{self.log()}"
            text = self.log()
            if " ready." in text and _answers(self.url + "/face/v1/schema/"):
                line = next(x for x in text.splitlines() if x.strip().startswith('{"merchant"'))
                return dict(json.loads(line))
            time.sleep(0.3)
        raise AssertionError(f"dev.py start --distributed not ready in 180 s:\n{self.log()}")

    def descendants(self) -> set[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = set(), [self.process.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.add(child)
                todo.append(child)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _celery_kind(cmdline: bytes) -> str:
    args = cmdline.split(b"\0")
    if b"beat" in args:
        return "beat"
    if b"webhooks" in args:
        return "webhooks"
    return "frames (solo)" if b"--pool=solo" in args else "other"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def dev_start(tmp_path: Path) -> Iterator[DevStart]:
    services_available()
    name = create_database()
    with RedisServer(tmp_path) as redis_server:
        running = DevStart(tmp_path, redis_server.url, database_url(name))
        try:
            yield running
        finally:
            for pid in running.descendants():
                os.kill(pid, signal.SIGKILL)
            running.stop()
            drop_database(name)


def _create_session(base: str, creds: dict[str, str]) -> dict[str, Any]:
    basic = base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()
    request = urllib.request.Request(
        base + "/face/v1/active-liveness-sessions",
        data=json.dumps({"success_url": "https://m.example/ok"}).encode(),
        headers={
            "x-api-key": creds["api_key"],
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return dict(json.loads(response.read()))


async def _one_frame_through_the_worker(ws_url: str, origin: str, jpeg: bytes) -> dict[str, Any]:
    async with websockets.connect(ws_url, origin=origin, max_size=2**22) as ws:
        assert json.loads(await ws.recv())["type"] == "state"
        await ws.send(json.dumps({"type": "start"}))
        await ws.send(json.dumps({"type": "frame", "seq": 1, "image": b64(jpeg)}))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message["type"] in ("frame_result", "frame_dropped"):
                return dict(message)


def test_it_serves_the_api_page_and_socket_and_sigint_stops_every_child(
    dev_start: DevStart, shared_data: Path
) -> None:
    creds = dev_start.wait_ready()
    session = _create_session(dev_start.url, creds)
    assert _answers(session["url"])  # the page
    ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
    jpeg = clip_jpegs(shared_data / "videos" / "lp_d18_mouth_open.mp4", frames=slice(0, 1))[0]
    answer = run_in_thread(_one_frame_through_the_worker(ws_url, dev_start.url, jpeg))
    assert answer["type"] == "frame_result" and answer["seq"] == 1
    children = dev_start.descendants()
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
    # daphne, LIVENESS_WORKERS=1 solo Celery worker, the webhooks worker and beat, nothing else
    assert sorted(b"daphne" in c for c in commands) == [False, False, False, True], commands
    celery = sorted(_celery_kind(c) for c in commands if b"celery" in c)
    assert celery == ["beat", "frames (solo)", "webhooks"], commands
    dev_start.process.send_signal(signal.SIGINT)
    assert dev_start.process.wait(timeout=60) == 0, dev_start.log()
    assert [pid for pid in children if _alive(pid)] == []


def test_when_one_child_dies_it_stops_the_others_and_fails(dev_start: DevStart) -> None:
    dev_start.wait_ready()
    children = dev_start.descendants()
    daphne = next(pid for pid in children if b"daphne" in Path(f"/proc/{pid}/cmdline").read_bytes())
    os.kill(daphne, signal.SIGKILL)
    assert dev_start.process.wait(timeout=60) != 0
    assert [pid for pid in children if _alive(pid)] == []
    assert "exited with" in dev_start.log()


def test_it_names_the_missing_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(
        [PYTHON, str(ROOT / "dev.py"), "start", "--distributed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DATABASE_URL and REDIS_URL" in done.stderr
