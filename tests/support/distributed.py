"""The distributed mode as separate real processes: PostgreSQL, Redis, daphne, a Celery worker.

For fault tests: a Redis server of the test's own (`RedisServer`) and a TCP proxy in front of
PostgreSQL (`TcpProxy`) that the test can stop, cut and restore.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.live import ROOT, LiveServer, free_port
from tests.support.prerequisites import require

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _admin_connection() -> psycopg.Connection[Any]:
    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)


def services_available() -> None:
    try:
        _admin_connection().close()
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        require(False, f"Redis not reachable at {REDIS_URL}: {exc}")


def create_database() -> str:
    """A new empty database on the test PostgreSQL; its name."""
    name = f"glair_it_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


def drop_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Cluster:
    """A throwaway PostgreSQL database, a flushed Redis db, daphne and one Celery worker."""

    def __init__(
        self,
        data_dir: Path,
        *,
        concurrency: int = 2,
        pool: str = "prefork",
        env: dict[str, str] | None = None,
        redis_url: str = REDIS_URL,
        database_port: int | None = None,
        worker_args: tuple[str, ...] = (),
    ) -> None:
        """env: more environment variables for the server and the worker (settings).
        redis_url: another Redis (flushed too); database_port: reach PostgreSQL through this
        port on 127.0.0.1 (a `TcpProxy`); the database is still created and dropped directly.
        worker_args: more arguments for the worker (`-Q celery,webhooks`, `-B` for beat)."""
        services_available()
        self.database = create_database()
        parts = urlsplit(POSTGRES_URL)._replace(path=f"/{self.database}")
        if database_port is not None:
            user = f"{parts.username}@" if parts.username else ""
            parts = parts._replace(netloc=f"{user}127.0.0.1:{database_port}")
        database_url = urlunsplit(parts)
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        self.server = LiveServer(
            data_dir, {"DATABASE_URL": database_url, "REDIS_URL": redis_url, **(env or {})}
        )
        self.concurrency = concurrency
        self.pool = pool
        self.worker_args = worker_args
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_log = data_dir / "worker.log"
        self._worker_log_offset = 0

    def start(self) -> Cluster:
        """daphne, the worker (its pool children load the model) and the migration start side by
        side; the worker touches the database only for tasks, which need a session first."""
        self.server.launch()
        self.launch_worker()
        self.server.manage("migrate", "-v0")
        self.server.wait_answering()
        self.wait_worker()
        return self

    def start_worker(self) -> None:
        """Start the Celery worker and wait until it consumes."""
        self.launch_worker()
        self.wait_worker()

    def launch_worker(self) -> None:
        self._worker_log_offset = self.worker_log.stat().st_size if self.worker_log.exists() else 0
        with self.worker_log.open("ab") as log:
            self.worker = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "glair_clone",
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={self.concurrency}",
                    f"--pool={self.pool}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    *self.worker_args,
                ],
                cwd=ROOT,
                env=self.server.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_worker(self) -> None:
        assert self.worker is not None, "launch_worker() first"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.worker_log.read_text()}")
            if "ready." in self.worker_log.read_text()[self._worker_log_offset :]:
                return
            time.sleep(0.05)
        raise RuntimeError(f"celery worker not ready in 90 s:\n{self.worker_log.read_text()}")

    def log(self) -> str:
        """daphne's and the worker's output so far, to explain a failed test."""
        worker = self.worker_log.read_text(errors="replace") if self.worker_log.exists() else ""
        return f"--- daphne ---\n{self.server.log()}\n--- celery worker ---\n{worker}"

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool processes, as when its machine dies."""
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)

    def stop(self) -> None:
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=5)
        self.server.stop()
        drop_database(self.database)

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence, restartable."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = data_dir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        import redis

        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return self
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> RedisServer:
        require(
            shutil.which("redis-server") is not None,
            "redis-server not installed (apt-get install redis)",
        )
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class TcpProxy:
    """127.0.0.1:<port> forwarded to `target`; `cut()` drops every connection and refuses
    new ones (accepted, then closed at once) until `restore()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.cut_off = False
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            self.cut_off = True
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def restore(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.cut_off:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                for sock in (source, sink):
                    self.open.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def postgres_address() -> tuple[str, int]:
    parts = urlsplit(POSTGRES_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def assert_one_verdict(cluster: Cluster, sid: str) -> None:
    """The session is FINISHED and its verdict was recorded exactly once."""
    with psycopg.connect(database_url(cluster.database)) as conn:
        status = conn.execute(
            "select status from liveness_sessions_livenesssession where sid = %s", (sid,)
        ).fetchall()
        verdicts = conn.execute(
            "select count(*) from liveness_sessions_sessionevent"
            " where session_id = %s and kind = 'verdict'",
            (sid,),
        ).fetchone()
    assert status == [("FINISHED",)]
    assert verdicts == (1,)
