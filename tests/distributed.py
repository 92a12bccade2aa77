"""The distributed mode as separate real processes: PostgreSQL, Redis, daphne, a Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.conftest import require
from tests.live import ROOT, LiveServer

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


class Cluster:
    """A throwaway PostgreSQL database, a flushed Redis db, daphne and one Celery worker."""

    def __init__(
        self,
        data_dir: Path,
        *,
        concurrency: int = 2,
        pool: str = "prefork",
        env: dict[str, str] | None = None,
    ) -> None:
        """env: more environment variables for the server and the worker (settings)."""
        services_available()
        self.database = f"glair_it_{uuid.uuid4().hex[:10]}"
        with _admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        parts = urlsplit(POSTGRES_URL)
        database_url = urlunsplit(parts._replace(path=f"/{self.database}"))
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        self.server = LiveServer(
            data_dir, {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, **(env or {})}
        )
        self.concurrency = concurrency
        self.pool = pool
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_log = data_dir / "worker.log"

    def start(self) -> Cluster:
        self.server.start()
        log = self.worker_log.open("ab")
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
            ],
            cwd=ROOT,
            env=self.server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.worker_log.read_text()}")
            if "ready." in self.worker_log.read_text():
                return self
            time.sleep(0.3)
        raise RuntimeError(f"celery worker not ready in 90 s:\n{self.worker_log.read_text()}")

    def stop(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        self.server.stop()
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.stop()
