"""A real ASGI server (daphne) in a subprocess, on its own database, for tests that need
real clients: GLAIR's npm SDK, a browser, WebSockets across processes."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`manage.py` commands and a daphne process sharing one environment.

    Embedded by default (a SQLite file under `data_dir`, in-memory channel layer, analysis
    in-process); pass DATABASE_URL and REDIS_URL in `extra_env` for the distributed mode.
    """

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "glair_clone.settings",
                "GLAIR_DATA_DIR": str(data_dir),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DEBUG": "false",
                "PYTHONUNBUFFERED": "1",
                **(extra_env or {}),
            }
        )
        self.env = env
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def ws_base(self) -> str:
        return "ws" + self.url[len("http") :]

    # --- commands ---------------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def create_merchant(self, name: str = "Test Shop") -> dict[str, str]:
        """`manage.py create_merchant NAME` -> {merchant, api_key, username, password,
        webhook_secret}."""
        data: dict[str, str] = json.loads(self.manage("create_merchant", name).strip())
        return data

    # --- the merchant API -------------------------------------------------------------------
    def api(
        self, method: str, path: str, merchant: dict[str, str], body: Any = None
    ) -> tuple[int, Any]:
        basic = base64.b64encode(f"{merchant['username']}:{merchant['password']}".encode())
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "x-api-key": merchant["api_key"],
                "Authorization": f"Basic {basic.decode()}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, raw.decode(errors="replace")

    def create_session(self, merchant: dict[str, str], **body: Any) -> dict[str, Any]:
        """POST a session; defaults: one HEAD_LEFT, success and cancel URLs at merchant.example."""
        body.setdefault("success_url", "https://merchant.example/done")
        body.setdefault("cancel_url", "https://merchant.example/back")
        body.setdefault("gestures", ["HEAD_LEFT"])
        status, data = self.api("POST", "/face/v1/active-liveness-sessions", merchant, body)
        if status != 201:
            raise AssertionError(f"create session answered {status}: {data}")
        return dict(data)

    def get_session(self, merchant: dict[str, str], sid: str, suffix: str = "") -> Any:
        status, data = self.api("GET", f"/face/v1/active-liveness-sessions/{sid}{suffix}", merchant)
        if status != 200:
            raise AssertionError(f"GET session{suffix} answered {status}: {data}")
        return data

    # --- the process ---------------------------------------------------------------------------
    def start(self) -> LiveServer:
        """`manage.py migrate`, with daphne starting beside it (its imports take as long as the
        migration), then wait until daphne answers. Nothing reads the database before then."""
        self.launch()
        try:
            self.manage("migrate", "-v0")
            self.wait_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self) -> None:
        """Start daphne without waiting for it; return once the data folder has its secret
        key, so that processes started next read that key instead of each writing one."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port),
                 "glair_clone.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        if self.env.get("SECRET_KEY"):
            return
        key = Path(self.env["GLAIR_DATA_DIR"]) / "secret_key"
        deadline = time.monotonic() + 60
        while not (key.exists() and key.read_text().strip()):
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"daphne wrote no secret key in 60 s:\n{self.log()}")
            time.sleep(0.02)

    def wait_answering(self) -> None:
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(self.url + "/face/v1/schema/", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"daphne did not answer in 60 s:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
