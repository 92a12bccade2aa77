#!/usr/bin/env python3.11
"""Install and run glair-clone with nothing but Python 3.11.

    python3.11 dev.py start   # install, migrate, create the demo merchant, serve on :8000
    python3.11 dev.py start --distributed   # the same on DATABASE_URL + REDIS_URL: daphne and
                                            # Celery workers (LIVENESS_WORKERS, default: cores)
    python3.11 dev.py test    # install, run the whole test suite (SQLite, then PostgreSQL)

The virtual environment lives in .venv; it is (re)installed whenever pyproject.toml changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_TEST_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The PostgreSQL pass runs beside the first one: its Redis tests flush a database of their own.
REDIS_TEST_URL_POSTGRES_PASS = os.environ.get("TEST_REDIS_URL_PG", "redis://127.0.0.1:6379/14")
# What CI needs from Debian for the browser tests: a real Chromium and ffmpeg for the clips.
# redis-server: the fault tests run a Redis of their own, to restart it.
SYSTEM_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "ffmpeg": "/usr/bin/ffmpeg",
    "nodejs": "/usr/bin/node",
    "redis-server": "/usr/bin/redis-server",
}
STOP_GRACE_S = 20  # how long children get to stop on SIGTERM before SIGKILL


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def install() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"glair-clone needs Python 3.11 (this is {sys.version.split()[0]})")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    # mediapipe drags in opencv-contrib-python (needs libGL); put the headless cv2 back on top.
    run(
        PY,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--force-reinstall",
        "--no-deps",
        "opencv-python-headless==4.11.0.86",
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def install_system_packages() -> None:
    missing = [name for name, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if not IN_CI and os.geteuid() != 0:
        print(f"note: {', '.join(missing)} not installed; browser tests will be skipped")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *missing, env=env)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def start(args: list[str]) -> None:
    if "--distributed" in args:
        start_distributed([a for a in args if a != "--distributed"])
    install()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    run(PY, "manage.py", "migrate", "--verbosity", "0", env=env)
    run(PY, "manage.py", "demo_setup", "--base-url", f"http://{host}:{port}", env=env)
    os.execve(
        str(PY), [str(PY), "manage.py", "runserver", f"{host}:{port}", "--noreload", *args], env
    )


def daphne_argv(host: str, port: str, *extra: str) -> list[str]:
    """The production ASGI server's command line: built here only (README shows the same).
    With LIVENESS_WS_MAX_MESSAGE_BYTES set, daphne's message and frame caps follow it (the
    setting is what check liveness.E040 compares the frame limit with)."""
    cap = os.environ.get("LIVENESS_WS_MAX_MESSAGE_BYTES", "").strip()
    caps = (
        [f"--websocket-max-message-size={cap}", f"--websocket-max-frame-size={cap}"] if cap else []
    )
    return [str(VENV / "bin" / "daphne"), "-b", host, "-p", port, *caps, *extra,
            "glair_clone.asgi:application"]  # fmt: skip


def celery_argv(index: int) -> list[str]:
    """One Celery worker process (solo pool: it runs its tasks itself, with no pool parent
    passing each frame on to a child; bench/capacity.py measured twice the sessions that one
    prefork worker with as many children held). Started once per core."""
    return [str(VENV / "bin" / "celery"), "-A", "glair_clone", "worker", "--loglevel=INFO",
            "--pool=solo", "-n", f"frames{index}@%h"]  # fmt: skip


def webhooks_argv() -> list[str]:
    """The webhook deliveries' Celery worker: its own queue, so a slow merchant server never
    holds up frame analysis, and threads, since a delivery mostly waits on the network."""
    return [str(VENV / "bin" / "celery"), "-A", "glair_clone", "worker", "--loglevel=INFO",
            "-Q", "webhooks", "--pool=threads", "--concurrency=8", "-n", "webhooks@%h"]  # fmt: skip


def beat_argv() -> list[str]:
    """Celery beat: the periodic job (expire sessions nobody reads, retry webhooks)."""
    return [str(VENV / "bin" / "celery"), "-A", "glair_clone", "beat", "--loglevel=INFO"]


def worker_count() -> int:
    raw = os.environ.get("LIVENESS_WORKERS", "")
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"LIVENESS_WORKERS must be a whole number of worker processes >= 1, not {raw!r}")
    return int(raw)


def start_distributed(args: list[str]) -> NoReturn:
    """Migrate, collect static files, create the demo merchant, then run daphne and Celery
    workers in the foreground until Ctrl-C / SIGTERM or until one of them dies."""
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        sys.exit(
            f"dev.py start --distributed needs {' and '.join(missing)}, for example\n"
            "  DATABASE_URL=postgres://liveness@db.internal:5432/liveness \\\n"
            "  REDIS_URL=redis://redis.internal:6379/0 python3.11 dev.py start --distributed"
        )
    workers = worker_count()
    install()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run(PY, "manage.py", "migrate", "--verbosity", "0", env=env)
    run(PY, "manage.py", "collectstatic", "--noinput", "--verbosity", "0", env=env)
    run(PY, "manage.py", "demo_setup", "--base-url", f"http://{host}:{port}", env=env)
    print(
        f"Distributed mode: daphne on http://{host}:{port}/ and {workers} Celery worker"
        f" process{'es' if workers != 1 else ''} (solo pool), a webhooks worker and Celery"
        " beat. Ctrl-C stops them all.",
        flush=True,
    )
    workers_argv = [celery_argv(i) for i in range(1, workers + 1)] + [webhooks_argv(), beat_argv()]
    sys.exit(supervise([daphne_argv(host, port, *args), *workers_argv], env))


def supervise(commands: list[list[str]], env: dict[str, str]) -> int:
    """Run the commands side by side. SIGINT/SIGTERM, or one of them exiting, stops the rest
    (each in its own process group, so pool processes go too). 0 only after a signal."""
    stop_signal: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _: stop_signal.append(signum))
    signal.signal(signal.SIGTERM, lambda signum, _: stop_signal.append(signum))
    children = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True) for cmd in commands
    ]
    while not stop_signal and all(child.poll() is None for child in children):
        time.sleep(0.2)
    died = [child for child in children if child.returncode is not None]
    for child in died:
        print(f"{Path(child.args[0]).name} exited with {child.returncode}: stopping", flush=True)
    _stop_groups(children)
    return 1 if died and not stop_signal else 0


def _stop_groups(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        _signal_group(child, signal.SIGKILL)  # whatever outlived the grace, pool children too
        child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(child.pid, signum)


def test(args: list[str]) -> None:
    """Two passes, side by side on two cores: the whole suite on the embedded default
    (SQLite), and the persistence and API tests again against PostgreSQL. They share nothing:
    the PostgreSQL pass has its own test database, Redis database and pytest cache; its output
    follows the first's."""
    install()
    install_system_packages()
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    base_env.pop("DATABASE_URL", None)
    base_env.setdefault("TEST_REDIS_URL", REDIS_TEST_URL)
    second: subprocess.Popen[bytes] | None = None
    log = VENV / "postgres-pass.log"
    if reachable("127.0.0.1", 5432) or "127.0.0.1:5432" not in POSTGRES_TEST_URL:
        pg_env = {
            **base_env,
            "DATABASE_URL": POSTGRES_TEST_URL,
            "GLAIR_EXPECT_DB": "postgresql",
            "TEST_REDIS_URL": REDIS_TEST_URL_POSTGRES_PASS,
        }
        cmd = [str(PY), "-m", "pytest", "-m", "postgres", "-o", "cache_dir=.venv/pytest-pg", *args]
        with log.open("wb") as out:
            second = subprocess.Popen(cmd, cwd=ROOT, env=pg_env, stdout=out, stderr=out)
    try:
        print("\n=== pass 1: whole suite, embedded default (SQLite) ===", flush=True)
        first = run(PY, "-m", "pytest", *args, env=base_env, check=False)
    finally:
        if second is not None and second.poll() is None and sys.exc_info()[0] is not None:
            second.terminate()  # interrupted: the PostgreSQL pass must not outlive us
            try:
                second.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                second.kill()
    print("\n=== pass 2: persistence and API against PostgreSQL (ran beside pass 1) ===")
    if second is None:
        if IN_CI:
            print("PostgreSQL is not reachable at 127.0.0.1:5432 (CI=true: that is a failure)")
            sys.exit(1)
        print("PostgreSQL is not reachable at 127.0.0.1:5432: PostgreSQL pass skipped")
        sys.exit(first)
    code = second.wait()
    print(log.read_text(errors="replace"), flush=True)
    sys.exit(first or code)


def main() -> None:
    commands = {"start": start, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
